// What the matcher role is built from (src/service.ts provides it); each part takes the subset it uses.
import type { Db } from '../../db/knex.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { StartConsumer } from '../pipeline/pipeline.js';
import type { ExplainHeldBack } from './explainHeldBack.js';

export interface MatcherSettings {
  /** A new or changed hunt is matched against this many days of ads (BACKFILL_DAYS). */
  backfillDays: number;
  /** Leads held back by pacing are contacted while their ad is younger (CONTACT_MAX_AGE_DAYS). */
  contactMaxAgeDays: number;
  /** An account messages a seller at most once in this many days (CONTACT_COOLDOWN_DAYS). */
  contactCooldownDays: number;
  /** Ads per matcher transaction (MATCHER_BATCH_SIZE). */
  batchSize: number;
  /** The calendar pacing is counted in (TICK_TIME_ZONE). */
  timeZone: string;
  /** Hunt groups caught up at once by the daily tick (TICK_CONCURRENCY). */
  tickConcurrency: number;
  /** What every SMS carries: the STOP mention (SMS_OPT_OUT_MENTION), the identity of accounts without one (SENDER_NAME_DEFAULT). */
  outreach: { optOutMention: string; senderNameDefault: string | null };
}

export interface MatcherDeps {
  db: Db;
  consume: StartConsumer;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: Pick<
    Metrics,
    | 'matches'
    | 'leadsCreated'
    | 'backfillsSkipped'
    | 'huntsIndexed'
    | 'huntIndexRowsRead'
    | 'tickProgress'
    | 'tickTotal'
  >;
  settings: MatcherSettings;
  /** Says why leads were not contacted (the matcher role makes one for its three paths). */
  explainHeldBack?: ExplainHeldBack;
}
