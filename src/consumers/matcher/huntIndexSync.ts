// Keeps this instance's hunt index current, one way: before each batch of ads, `refresh()` reads the
// hunt rows written since the previous read, in commit order (src/sql/hunts/loadHuntsChangedSince.ts: each
// row version once, whatever its transaction's duration or its writer's clock).
//
// Why this suffices: "hunt committed, then ad committed" is always matched by the continuous matcher.
// The ad's AdScraped is published after the ad's transaction committed, so after the hunt's; it is
// consumed, then this batch's refresh takes its snapshot. The hunt's transaction had finished by then,
// so its row is read by this refresh or was by an earlier one. "Ad committed, then hunt committed" is
// the hunt's backfill's (src/consumers/matcher/backfill.ts).
//
// Why not also hunts.changed: a consumer of it gives no such guarantee on its own (events on two topics
// are not ordered with each other: a hunt's HuntChanged may still be on its way while the ad's
// AdScraped is already here), so the read above is needed anyway; and a second way in applied every
// change twice, the second time for nothing. The index is only read by a batch of ads, which refreshes
// it first, so an index that stays old while no ad comes is never seen.
//
// Refreshes run one after the other, so that each one starts from the snapshot of the one before.
import type { Db, Trx } from '../../db/knex.js';
import type { HuntIndex } from '../../domain/huntIndex.js';
import {
  loadActiveHuntsWithHorizon,
  loadHuntsChangedSince,
  type HuntChanges,
} from '../../sql/hunts/loadHuntsChangedSince.js';
import type { MatcherDeps } from './matcherDeps.js';

export interface HuntIndexSync {
  /** Brings the index up to every hunt change committed before this call. */
  refresh(db: Db | Trx): Promise<void>;
}

export async function startHuntIndexSync(
  deps: Pick<MatcherDeps, 'db' | 'log' | 'metrics'>,
  index: HuntIndex,
): Promise<HuntIndexSync> {
  const log = deps.log.child({ component: 'hunt-index' });
  const started = Date.now();

  const apply = (changes: HuntChanges, read: 'load' | 'refresh') => {
    for (const hunt of changes.hunts) {
      if (hunt.deleted) index.remove(hunt.id, hunt.version);
      else index.upsert(hunt); // a paused hunt leaves the index, and stays out until a newer version
    }
    deps.metrics.huntIndexRowsRead.inc({ read }, changes.hunts.length);
    deps.metrics.huntsIndexed.set(index.size);
    return changes.horizon;
  };

  let horizon = apply(await loadActiveHuntsWithHorizon(deps.db), 'load');
  log.info({ hunts: index.size, ms: Date.now() - started }, 'hunt index loaded');

  let previous: Promise<unknown> = Promise.resolve();
  return {
    refresh(db) {
      const run = previous.then(async () => {
        const changes = await loadHuntsChangedSince(db, horizon);
        // The horizon moves only once its rows are in the index: a failed read is read again.
        horizon = apply(changes, 'refresh');
        if (changes.hunts.length >= 100)
          log.info({ hunts: changes.hunts.length, indexed: index.size }, 'hunt index refreshed');
      });
      previous = run.catch(() => undefined);
      return run;
    },
  };
}
