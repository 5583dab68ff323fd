// Backfill: a hunt that is created, activated or changed is matched at once against the ads of the
// last BACKFILL_DAYS, so it finds yesterday's ads without waiting for the daily tick. One matcher
// instance does it (a shared consumer group), up to BACKFILL_BATCH hunt changes in one transaction
// with their inbox rows (an import of thousands of hunts, or a bulk edit, pays one transaction, inbox
// write and offset commit per batch, not per hunt). Its leads go to the account's oldest matching
// hunt, which may be another one (matchAds' matchedBy). It reads the ads written before the change
// could be seen, and leaves those written since to the continuous matcher (src/sql/ads/streamAds.ts), so
// that the two never match one new ad at once and wait on each other's uncommitted leads.
import { adNarrowingOf } from '../../domain/adNarrowing.js';
import { huntIndexOf, type HuntIndex } from '../../domain/huntIndex.js';
import { previewNarrowingOf } from '../../domain/huntPreview.js';
import { matchAds } from '../../domain/matchAds.js';
import type { Hunt } from '../../domain/types.js';
import { causeOf } from '../../events/envelope.js';
import { selectAdBrands } from '../../sql/ads/selectAdBrands.js';
import { loadActiveHunts } from '../../sql/hunts/loadActiveHunts.js';
import { loadHuntsToBackfill, type HuntToBackfill } from '../../sql/hunts/loadHuntsToBackfill.js';
import { markHuntsScanned } from '../../sql/hunts/markHuntsScanned.js';
import { streamAds } from '../../sql/ads/streamAds.js';
import type { MatcherDeps } from './matcherDeps.js';
import { recordAndCount } from './recordAndCount.js';
import { recordDepsOf, type RecordDeps } from './recordMatches.js';
import type { ConsumedEvent, HandlerContext } from '../pipeline/consumedEvent.js';
import type { Trx } from '../../db/knex.js';

const BACKFILL_CHANGES = new Set(['CREATED', 'ACTIVATED', 'UPDATED']);
/**
 * Hunt changes per transaction. Small enough that a batch of large backfills stays a short transaction
 * (its seller rows are locked until it commits) and a conflict retries little.
 */
const BACKFILL_BATCH = 20;

type HuntChanged = ConsumedEvent<'HuntChanged'>;
type BackfillDeps = Pick<MatcherDeps, 'consume' | 'outbox' | 'clock' | 'metrics' | 'settings' | 'explainHeldBack'>;

/** What every hunt of one batch is backfilled with. */
interface BatchScan {
  trx: Trx;
  hc: HandlerContext;
  since: Date;
  recordDeps: RecordDeps;
  /** The brands as the ads write them, for an ad type. */
  writtenBrands: (adType: string) => Promise<string[]>;
  /** The active hunts of an account, indexed once per batch: attribution looks across them. */
  huntIndexOf: (accountId: string) => HuntIndex;
}

export function startBackfill(deps: BackfillDeps) {
  return deps.consume({
    name: 'matcher-backfill',
    topics: ['hunts.changed'],
    eventTypes: ['HuntChanged'],
    batchSize: BACKFILL_BATCH,
    handle: async (trx, events, hc) => {
      const changes = changesByHunt(events);
      const stored = await loadHuntsToBackfill(trx, [...changes.keys()]);
      const todo = huntsToBackfill(changes, stored, deps.metrics);
      if (todo.length === 0) return;
      // The active hunts of the batch's accounts, in one read: attribution looks across an account's hunts.
      const huntsOfAccount = new Map<string, Hunt[]>();
      for (const h of await loadActiveHunts(trx, { accountIds: [...new Set(todo.map((t) => t.hunt.accountId))] }))
        huntsOfAccount.set(h.accountId, [...(huntsOfAccount.get(h.accountId) ?? []), h]);
      const indexes = new Map<string, HuntIndex>();
      const now = deps.clock.now();
      // The brands as the ads write them, per ad type: a hunt with brands reads only theirs, by index (as its preview).
      const written = new Map<string, Promise<string[]>>();
      const scan: BatchScan = {
        trx,
        hc,
        since: new Date(now.getTime() - deps.settings.backfillDays * 86_400_000),
        recordDeps: recordDepsOf(deps, now),
        writtenBrands: (adType) => written.get(adType) ?? written.set(adType, selectAdBrands(trx, adType)).get(adType)!,
        huntIndexOf: (accountId) => {
          let accountHunts = indexes.get(accountId);
          if (!accountHunts) indexes.set(accountId, (accountHunts = huntIndexOf(huntsOfAccount.get(accountId) ?? [])));
          return accountHunts;
        },
      };
      for (const { hunt, event } of todo) await backfillHunt(deps, scan, hunt, event);
      await markHuntsScanned(
        trx,
        todo.map((t) => t.hunt.id),
        now,
      );
    },
  });
}

/**
 * Each hunt once per batch, as it is now (a CREATED then UPDATED in one batch is one backfill).
 * Per hunt: the kinds of change, and the last event (the leads' cause).
 */
function changesByHunt(events: HuntChanged[]): Map<string, { kinds: Set<string>; event: HuntChanged }> {
  const changes = new Map<string, { kinds: Set<string>; event: HuntChanged }>();
  for (const event of events) {
    if (!BACKFILL_CHANGES.has(event.value.change)) continue;
    const kinds = changes.get(event.value.huntId)?.kinds ?? new Set<string>();
    changes.set(event.value.huntId, { kinds: kinds.add(event.value.change), event });
  }
  return changes;
}

/** The changed hunts that are active and may now match other ads. */
function huntsToBackfill(
  changes: Map<string, { kinds: Set<string>; event: HuntChanged }>,
  stored: Map<string, HuntToBackfill>,
  metrics: BackfillDeps['metrics'],
): Array<{ hunt: HuntToBackfill; event: HuntChanged }> {
  const todo: Array<{ hunt: HuntToBackfill; event: HuntChanged }> = [];
  for (const [huntId, { kinds, event }] of changes) {
    const hunt = stored.get(huntId);
    if (!hunt || hunt.deleted || hunt.status !== 'active') continue;
    // A rename, a template or contact hours match the same ads: no look back (src/domain/huntCriteria.ts).
    if (kinds.size === 1 && kinds.has('UPDATED') && !hunt.criteriaChangedSinceScan) {
      metrics.backfillsSkipped.inc();
      continue;
    }
    todo.push({ hunt, event });
  }
  return todo;
}

/** Matches one hunt against the ads of its window, its leads attributed across its account's hunts. */
async function backfillHunt(
  deps: BackfillDeps,
  scan: BatchScan,
  hunt: HuntToBackfill,
  event: HuntChanged,
): Promise<void> {
  const started = Date.now();
  const accountHunts = scan.huntIndexOf(hunt.accountId);
  const cause = causeOf(event);
  let scanned = 0;
  let leads = 0;
  // The ads written since this change was committed are the continuous matcher's (src/sql/ads/streamAds.ts).
  const { brands } = previewNarrowingOf(hunt, hunt.brands.length > 0 ? await scan.writtenBrands(hunt.adType) : null);
  const filter = { scrapedSince: scan.since, narrowing: adNarrowingOf(hunt), notSeenBy: hunt.changeXid, brands };
  for await (const ads of streamAds(scan.trx, filter)) {
    const matches = matchAds(ads, accountHunts, { matchedBy: hunt.id });
    scanned += ads.length;
    leads += (await recordAndCount(scan.trx, deps, scan.recordDeps, 'backfill', matches, () => cause)).leadsCreated;
    await scan.hc.heartbeat();
  }
  scan.hc.log.info(
    {
      huntId: hunt.id,
      accountId: hunt.accountId,
      change: event.value.change,
      scanned,
      leads,
      ms: Date.now() - started,
    },
    'hunt backfilled',
  );
}
