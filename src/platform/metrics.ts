// Prometheus metrics (prom-client). One registry per service instance, so that several instances
// in one process (tests, benchmarks) do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The hops from an ad's request to the gateway call that reaches its seller, timed by the service
 * itself (hunt_matcher_hop_seconds{hop}): what an operator watches, and what the latency work profiles with.
 */
export const HOPS = [
  /** The ad's outbox row written (by the ingestion request's transaction) -> AdScraped acknowledged by the broker. */
  'ingest_to_publish',
  /** AdScraped produced -> fetched by the matcher. */
  'publish_to_matcher',
  /** Fetched by the matcher -> its transaction (leads, messages, events) committed. */
  'matcher_consume_to_commit',
  /** SendMessage's outbox row written by the matcher -> acknowledged by the broker. */
  'match_to_publish',
  /** SendMessage produced -> fetched by the sender. */
  'publish_to_sender',
  /** Fetched by the sender -> the gateway call starts (claim included). */
  'sender_consume_to_gateway',
  /** The request at the root of the chain (the ad's POST, a hunt's write, a Lobstr webhook) -> the first gateway call. */
  'request_to_gateway',
] as const;
export type Hop = (typeof HOPS)[number];

/**
 * Every metric of the service is named hunt_matcher_*, as Prometheus' naming conventions ask of an
 * application's metrics. prom-client's default process_* and nodejs_* metrics keep their standard
 * names, which every Node.js dashboard expects.
 */
export const METRIC_PREFIX = 'hunt_matcher_';

// The help texts too long to stand in their metric's line.
const HUNT_INDEX_ROWS_HELP =
  'Hunt rows the matcher read into its index: at start (read=load), and before each batch of ads the rows changed since the last read (read=refresh)';
const LOBSTR_RUNS_HELP =
  'Lobstr runs by how an import ended (outcome: done, failed: refused by Lobstr or unavailable too long, retrying: a later attempt is due) and what brought the run (trigger: webhook, reconcile)';

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    ...outboxMetrics(r),
    ...consumerMetrics(r),
    ...matchingMetrics(r),
    ...messagingMetrics(r),
    ...providerMetrics(r),
  };
}

/** The outbox and its relay. */
function outboxMetrics(r: Registry[]) {
  return {
    outboxBacklogRows: new Gauge({
      name: `${METRIC_PREFIX}outbox_backlog_rows`,
      help: 'Committed events not yet published',
      registers: r,
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: `${METRIC_PREFIX}outbox_oldest_age_seconds`,
      help: 'Age of the oldest unpublished event',
      registers: r,
    }),
    outboxPublished: new Counter({
      name: `${METRIC_PREFIX}outbox_published_total`,
      help: 'Events published by the relay',
      labelNames: ['topic'],
      registers: r,
    }),
    outboxBatchSeconds: new Histogram({
      name: `${METRIC_PREFIX}outbox_relay_batch_seconds`,
      help: 'Time to publish and delete one relay batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    outboxPublishDelaySeconds: new Histogram({
      name: `${METRIC_PREFIX}outbox_publish_delay_seconds`,
      help: 'From the outbox insert to the broker acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers: r,
    }),
    outboxShardsOwned: new Gauge({
      name: `${METRIC_PREFIX}outbox_relay_shards_owned`,
      help: 'Outbox shards this relay publishes',
      registers: r,
    }),
  };
}

/** Every consumer: events taken, repeated, dead-lettered, retried, behind. */
function consumerMetrics(r: Registry[]) {
  return {
    consumed: new Counter({
      name: `${METRIC_PREFIX}consumer_events_total`,
      help: 'Events applied by a consumer',
      labelNames: ['consumer', 'topic'],
      registers: r,
    }),
    deduplicated: new Counter({
      name: `${METRIC_PREFIX}consumer_deduplicated_total`,
      help: 'Events skipped because the inbox already had them',
      labelNames: ['consumer', 'topic'],
      registers: r,
    }),
    deadLettered: new Counter({
      name: `${METRIC_PREFIX}consumer_dead_lettered_total`,
      help: 'Events sent to a dead-letter topic',
      labelNames: ['consumer', 'topic', 'reason'],
      registers: r,
    }),
    retries: new Counter({
      name: `${METRIC_PREFIX}consumer_retries_total`,
      help: 'Retriable failures that were retried',
      labelNames: ['consumer', 'topic'],
      registers: r,
    }),
    consumerLag: new Gauge({
      name: `${METRIC_PREFIX}consumer_lag_messages`,
      help: 'Messages between the committed offset and the end of each partition',
      labelNames: ['consumer', 'topic', 'partition'],
      registers: r,
    }),
  };
}

/** The matcher, the ticks and the ads that feed them. */
function matchingMetrics(r: Registry[]) {
  return {
    matches: new Counter({
      name: `${METRIC_PREFIX}matcher_matches_total`,
      help: 'Leads created by matching, by the path that found them: continuous, backfill, catch_up',
      labelNames: ['source'],
      registers: r,
    }),
    leadsCreated: new Counter({
      name: `${METRIC_PREFIX}matcher_leads_created_total`,
      help: 'Leads created',
      labelNames: ['contacted'],
      registers: r,
    }),
    huntsIndexed: new Gauge({
      name: `${METRIC_PREFIX}matcher_hunts_indexed`,
      help: 'Active hunts in the in-memory index',
      registers: r,
    }),
    huntIndexRowsRead: new Counter({
      name: `${METRIC_PREFIX}hunt_index_rows_read_total`,
      help: HUNT_INDEX_ROWS_HELP,
      labelNames: ['read'],
      registers: r,
    }),
    tickProgress: new Gauge({
      name: `${METRIC_PREFIX}matcher_tick_hunts_done`,
      help: 'Hunts processed in the current daily tick',
      labelNames: ['tick'],
      registers: r,
    }),
    tickTotal: new Gauge({
      name: `${METRIC_PREFIX}matcher_tick_hunts_total`,
      help: 'Hunts to process in the current daily tick',
      labelNames: ['tick'],
      registers: r,
    }),
    adsIngested: new Counter({
      name: `${METRIC_PREFIX}ingest_ads_total`,
      help: 'Ads received by ingestion',
      labelNames: ['outcome'],
      registers: r,
    }),
  };
}

/** Messages, the Lobstr importer, opt-outs, receipts and replies. */
function messagingMetrics(r: Registry[]) {
  return {
    messagesDelivered: new Counter({
      name: `${METRIC_PREFIX}sender_messages_total`,
      help: 'Delivery outcomes',
      labelNames: ['outcome'],
      registers: r,
    }),
    lobstrPages: new Counter({
      name: `${METRIC_PREFIX}importer_pages_total`,
      help: 'Lobstr result pages imported',
      registers: r,
    }),
    lobstrRuns: new Counter({
      name: `${METRIC_PREFIX}importer_runs_total`,
      help: LOBSTR_RUNS_HELP,
      labelNames: ['outcome', 'trigger'],
      registers: r,
    }),
    optOuts: new Counter({
      name: `${METRIC_PREFIX}optouts_total`,
      help: 'Phones opted out (source: inbound STOP through the gateway, or api by hand), and the pending messages that cancelled',
      labelNames: ['source'],
      registers: r,
    }),
    optOutCancelled: new Counter({
      name: `${METRIC_PREFIX}optout_cancelled_messages_total`,
      help: 'Pending messages cancelled by an opt-out',
      registers: r,
    }),
    receipts: new Counter({
      name: `${METRIC_PREFIX}gateway_receipts_total`,
      help: "The gateway's delivery receipts by status (delivered, undelivered) and outcome (recorded, unchanged: a repeat)",
      labelNames: ['status', 'outcome'],
      registers: r,
    }),
    replies: new Counter({
      name: `${METRIC_PREFIX}replies_total`,
      help: "Sellers' replies by provider and whether a message of ours explained them (matched: joined to a lead, SellerReplied; not: kept for operators)",
      labelNames: ['provider', 'matched'],
      registers: r,
    }),
    backfillsSkipped: new Counter({
      name: `${METRIC_PREFIX}matcher_backfills_skipped_total`,
      help: 'Hunt changes that needed no look back (UPDATED without a change of criteria: a rename, a template, contact hours)',
      registers: r,
    }),
  };
}

/** The providers, the webhooks and the process itself. */
function providerMetrics(r: Registry[]) {
  return {
    providerRequests: new Counter({
      name: `${METRIC_PREFIX}provider_requests_total`,
      help: 'Message requests to each provider (http, twilio, brevo) by outcome: sent, looked_up (a doubtful attempt found sent), retry, permanent, opted_out',
      labelNames: ['provider', 'outcome'],
      registers: r,
    }),
    providerCallbacks: new Counter({
      name: `${METRIC_PREFIX}provider_callbacks_total`,
      help: "Providers' callbacks by provider, kind (status, inbound, event) and outcome (recorded, unchanged, opted_out, opted_in, reply, ignored, unknown, refused)",
      labelNames: ['provider', 'kind', 'outcome'],
      registers: r,
    }),
    sendingHeld: new Gauge({
      name: `${METRIC_PREFIX}sending_held`,
      help: 'Accounts (scope=account) and providers (scope=provider) whose sending is held, by reason (credentials, region_not_enabled, sender_not_allowed, whatsapp_sender_unknown, no_credits, carrier_filtering), as the database says at each scrape',
      labelNames: ['scope', 'reason'],
      registers: r,
    }),
    webhookAttempts: new Counter({
      name: `${METRIC_PREFIX}webhook_attempts_total`,
      help: 'Webhook delivery attempts by outcome: delivered (a 2xx), retry-scheduled, failed (the retry schedule used up)',
      labelNames: ['outcome'],
      registers: r,
    }),
    webhookEndpointsDisabled: new Counter({
      name: `${METRIC_PREFIX}webhook_endpoints_disabled_total`,
      help: 'Webhook endpoints disabled because every attempt failed for WEBHOOK_DISABLE_AFTER',
      registers: r,
    }),
    webhookEndpointsFailing: new Gauge({
      name: `${METRIC_PREFIX}webhook_endpoints_failing`,
      help: 'Enabled webhook endpoints whose last attempts failed (state: failing), and endpoints disabled for failing (state: disabled), counted by the deliverer every minute',
      labelNames: ['state'],
      registers: r,
    }),
    ready: new Gauge({
      name: `${METRIC_PREFIX}ready`,
      help: 'Readiness checks as /readyz runs them, at each scrape (1 ok, 0 failing)',
      labelNames: ['check'],
      registers: r,
    }),
    tableUpkeep: new Counter({
      name: `${METRIC_PREFIX}table_upkeep_total`,
      help: 'VACUUM and ANALYZE the service ran itself on a server without autovacuum (src/db/tableUpkeep.ts), by table and action',
      labelNames: ['table', 'action'],
      registers: r,
    }),
    retentionDeleted: new Counter({
      name: `${METRIC_PREFIX}retention_deleted_rows_total`,
      help: 'Rows the retention job deleted (src/db/retention.ts), by table',
      labelNames: ['table'],
      registers: r,
    }),
    hopSeconds: new Histogram({
      name: `${METRIC_PREFIX}hop_seconds`,
      help: "Time of each hop from an ad's request to the gateway call (hop: see HOPS in src/platform/metrics.ts)",
      labelNames: ['hop'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
