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
import type { HuntIndex } from '../../domain/huntIndex.js';
import type { Db, Trx } from '../../db/knex.js';
import { retryKafka } from '../../platform/kafkaRetry.js';
import { huntFromRow, type HuntRow } from '../../sql/rows/huntRow.js';
import type { ServiceContext } from '../../service.js';
import { startConsumer } from '../pipeline/pipeline.js';
import { loadHunt } from './huntQueries.js';

/** Writes commit a little after they stamp updated_at: look back this far on every refresh. */
const COMMIT_MARGIN_MS = 5000;

export interface HuntIndexSync {
  refresh(db: Db | Trx): Promise<void>;
  stop(): Promise<void>;
}

export async function startHuntIndexSync(ctx: ServiceContext, index: HuntIndex): Promise<HuntIndexSync> {
  const log = ctx.log.child({ component: 'hunt-index' });
  const topic = ctx.topics.name('hunts.changed');
  const offsets = await retryKafka(() => ctx.admin.fetchTopicOffsets(topic));
  const started = Date.now();
  let watermark = 0;

  const apply = (rows: Array<HuntRow & { deleted_at: Date | null }>) => {
    for (const row of rows) {
      if (row.deleted_at) index.remove(row.id, row.version);
      else index.upsert(huntFromRow(row));
      watermark = Math.max(watermark, row.updated_at.getTime());
    }
    ctx.metrics.huntsIndexed.set(index.size);
  };

  apply((await ctx.db('hunts').whereNull('deleted_at').where({ status: 'active' })) as Array<HuntRow & { deleted_at: Date | null }>);
  log.info({ hunts: index.size, ms: Date.now() - started }, 'hunt index loaded');

  const groupId = `${ctx.topics.prefix}matcher-index-${ctx.config.instanceId}`;
  const consumer = await startConsumer(ctx.pipeline, {
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
      ctx.metrics.huntsIndexed.set(index.size);
    },
  });

  return {
    async refresh(db) {
      const since = new Date(watermark - COMMIT_MARGIN_MS);
      apply((await db('hunts').where('updated_at', '>', since)) as Array<HuntRow & { deleted_at: Date | null }>);
    },
    async stop() {
      await consumer.stop();
      // The group is this instance's alone: remove it rather than leave it to expire.
      await ctx.admin.deleteGroups([groupId]).catch((error: unknown) => log.warn({ err: error, groupId }, 'could not delete the index consumer group'));
    },
  };
}
