// The matcher role: the hunt index first (loaded before any consumer joins its group), then
// continuous matching, backfill of changed hunts, and the daily catch-up.
import type { Admin } from 'kafkajs';
import type { Db } from '../../db/knex.js';
import { createHuntIndex } from '../../domain/huntIndex.js';
import type { Topics } from '../../events/topics.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import type { StartConsumer } from '../pipeline/pipeline.js';
import { startBackfill } from './backfill.js';
import { startContinuousMatching } from './continuousMatching.js';
import { startDailyCatchUp } from './dailyCatchUp.js';
import { startHuntIndexSync, type HuntIndexSync } from './huntIndexSync.js';

export interface MatcherSettings {
  /** A new or changed hunt is matched against this many days of ads (BACKFILL_DAYS). */
  backfillDays: number;
  /** Leads held back by pacing are contacted while their ad is younger (CONTACT_MAX_AGE_DAYS). */
  contactMaxAgeDays: number;
  /** Ads per matcher transaction (MATCHER_BATCH_SIZE). */
  batchSize: number;
  /** The calendar pacing is counted in (TICK_TIME_ZONE). */
  timeZone: string;
  /** Hunt groups caught up at once by the daily tick (TICK_CONCURRENCY). */
  tickConcurrency: number;
  /** Names this instance's private consumer group on hunts.changed. */
  instanceId: string;
}

export interface MatcherDeps {
  db: Db;
  consume: StartConsumer;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'deleteGroups'>;
  topics: Pick<Topics, 'name' | 'prefix'>;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'matches' | 'leadsCreated' | 'huntsIndexed' | 'tickProgress' | 'tickTotal'>;
  settings: MatcherSettings;
}

export async function startMatcher(deps: MatcherDeps): Promise<RoleHandle> {
  const index = createHuntIndex();
  const parts: RoleHandle[] = [];
  let sync: HuntIndexSync | undefined;
  try {
    sync = await startHuntIndexSync(deps, index);
    parts.push(await startContinuousMatching(deps, index, sync));
    parts.push(await startBackfill(deps));
    parts.push(await startDailyCatchUp(deps));
  } catch (error) {
    await Promise.allSettled(parts.map((p) => p.stop()));
    await sync?.stop().catch(() => undefined);
    throw error;
  }
  const indexSync = sync;
  return {
    async stop() {
      // The consumers together (each finishes its batch and commits), then the index sync.
      const stopped = await Promise.allSettled(parts.map((p) => p.stop()));
      await indexSync.stop();
      const failed = stopped.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
