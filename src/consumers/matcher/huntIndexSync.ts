// Keeps this instance's hunt index current, two ways:
//
// 1. hunts.changed, read by every matcher instance in a consumer group of its own (deleted when it
//    stops), as the design asks. Start-up order: note the end offsets of hunts.changed, load the active
//    hunts from the database, then consume from the noted offsets. A change committed before the load is
//    in the snapshot; one committed after is published after the offsets were noted, so it is consumed.
//
// 2. Before each batch of ads, `refresh()` reads the hunts written since the last look (an index scan
//    on hunts.updated_at). Events on different topics are not ordered with each other, so without this a
//    hunt created just before an ad could miss it: its HuntChanged may still be on its way while the
//    AdScraped is already here. With it, "hunt committed, then ad committed" is always matched by the
//    continuous matcher, and "ad committed, then hunt committed" by the hunt's backfill.
//
// Seeing a change twice is harmless: the index keeps the highest version of each hunt.
import type { Db, Trx } from '../../db/knex.js';
import type { HuntIndex } from '../../domain/huntIndex.js';
import { retryKafka } from '../../platform/kafka.js';
import { loadActiveHunts } from '../../sql/loadActiveHunts.js';
import { loadHunt, type StoredHunt } from '../../sql/loadHunt.js';
import { loadHuntsChangedSince } from '../../sql/loadHuntsChangedSince.js';
import type { MatcherDeps } from './matcherDeps.js';

/** Writes commit a little after they stamp updated_at: look back this far on every refresh. */
const COMMIT_MARGIN_MS = 5000;

export interface HuntIndexSync {
  refresh(db: Db | Trx): Promise<void>;
  stop(): Promise<void>;
}

export async function startHuntIndexSync(deps: Pick<MatcherDeps, 'db' | 'consume' | 'admin' | 'topics' | 'log' | 'metrics' | 'settings'>, index: HuntIndex): Promise<HuntIndexSync> {
  const log = deps.log.child({ component: 'hunt-index' });
  const topic = deps.topics.name('hunts.changed');
  const offsets = await retryKafka(() => deps.admin.fetchTopicOffsets(topic));
  const started = Date.now();
  let watermark = 0;

  const apply = (hunts: StoredHunt[]) => {
    for (const hunt of hunts) {
      if (hunt.deleted) index.remove(hunt.id, hunt.version);
      else index.upsert(hunt);
      watermark = Math.max(watermark, hunt.updatedAt.getTime());
    }
    deps.metrics.huntsIndexed.set(index.size);
  };

  apply((await loadActiveHunts(deps.db)).map((h) => ({ ...h, deleted: false })));
  log.info({ hunts: index.size, ms: Date.now() - started }, 'hunt index loaded');

  const groupId = `${deps.topics.prefix}matcher-index-${deps.settings.instanceId}`;
  const consumer = await deps.consume({
    name: 'matcher-index',
    groupId,
    topics: ['hunts.changed'],
    eventTypes: ['HuntChanged'],
    // Refreshing a cache is idempotent by itself, and every instance must apply every change.
    dedupe: false,
    seekOnStart: offsets.map((o) => ({ topic, partition: o.partition, offset: o.high })),
    handle: async (trx, events) => {
      for (const { value } of events) {
        const hunt = await loadHunt(trx, value.huntId);
        if (!hunt || hunt.deleted) index.remove(value.huntId, hunt?.version);
        else index.upsert(hunt); // a paused hunt leaves the index, and stays out until a newer version
      }
      deps.metrics.huntsIndexed.set(index.size);
    },
  });

  return {
    async refresh(db) {
      apply(await loadHuntsChangedSince(db, new Date(watermark - COMMIT_MARGIN_MS)));
    },
    async stop() {
      await consumer.stop();
      // The group is this instance's alone: remove it rather than leave it to expire.
      await deps.admin.deleteGroups([groupId]).catch((error: unknown) => log.warn({ err: error, groupId }, 'could not delete the index consumer group'));
    },
  };
}
