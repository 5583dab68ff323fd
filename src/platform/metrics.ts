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

/**
 * The metric makers of one registry: a metric is its name (without METRIC_PREFIX), its help text and its
 * label names, which type the values it takes (`inc({ topic })`); a histogram's buckets come last.
 */
function metricMakers(registers: Registry[]) {
  return {
    counter: <T extends string>(name: string, help: string, labelNames: readonly T[] = []) =>
      new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers }),
    gauge: <T extends string>(name: string, help: string, labelNames: readonly T[] = []) =>
      new Gauge({ name: METRIC_PREFIX + name, help, labelNames, registers }),
    histogram: <T extends string>(name: string, help: string, labelNames: readonly T[], buckets: number[]) =>
      new Histogram({ name: METRIC_PREFIX + name, help, labelNames, buckets, registers }),
  };
}
type MetricMakers = ReturnType<typeof metricMakers>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const m = metricMakers([registry]);
  return {
    registry,
    ...outboxMetrics(m),
    ...consumerMetrics(m),
    ...matchingMetrics(m),
    ...messagingMetrics(m),
    ...providerMetrics(m),
  };
}

/** The outbox and its relay. */
function outboxMetrics(m: MetricMakers) {
  return {
    outboxBacklogRows: m.gauge('outbox_backlog_rows', 'Committed events not yet published'),
    outboxOldestAgeSeconds: m.gauge('outbox_oldest_age_seconds', 'Age of the oldest unpublished event'),
    outboxPublished: m.counter('outbox_published_total', 'Events published by the relay', ['topic']),
    outboxBatchSeconds: m.histogram(
      'outbox_relay_batch_seconds',
      'Time to publish and delete one relay batch',
      [],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    outboxPublishDelaySeconds: m.histogram(
      'outbox_publish_delay_seconds',
      'From the outbox insert to the broker acknowledgement',
      [],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    ),
    outboxShardsOwned: m.gauge('outbox_relay_shards_owned', 'Outbox shards this relay publishes'),
  };
}

/** Every consumer: events taken, repeated, dead-lettered, retried, behind. */
function consumerMetrics(m: MetricMakers) {
  const byConsumer = ['consumer', 'topic'] as const;
  return {
    consumed: m.counter('consumer_events_total', 'Events applied by a consumer', byConsumer),
    deduplicated: m.counter(
      'consumer_deduplicated_total',
      'Events skipped because the inbox already had them',
      byConsumer,
    ),
    deadLettered: m.counter('consumer_dead_lettered_total', 'Events sent to a dead-letter topic', [
      ...byConsumer,
      'reason',
    ]),
    retries: m.counter('consumer_retries_total', 'Retriable failures that were retried', byConsumer),
    consumerLag: m.gauge(
      'consumer_lag_messages',
      'Messages between the committed offset and the end of each partition',
      [...byConsumer, 'partition'],
    ),
  };
}

/** The matcher, the ticks and the ads that feed them. */
function matchingMetrics(m: MetricMakers) {
  return {
    matches: m.counter(
      'matcher_matches_total',
      'Leads created by matching, by the path that found them: continuous, backfill, catch_up',
      ['source'],
    ),
    leadsCreated: m.counter('matcher_leads_created_total', 'Leads created', ['contacted']),
    huntsIndexed: m.gauge('matcher_hunts_indexed', 'Active hunts in the in-memory index'),
    huntIndexRowsRead: m.counter('hunt_index_rows_read_total', HUNT_INDEX_ROWS_HELP, ['read']),
    tickProgress: m.gauge('matcher_tick_hunts_done', 'Hunts processed in the current daily tick', ['tick']),
    tickTotal: m.gauge('matcher_tick_hunts_total', 'Hunts to process in the current daily tick', ['tick']),
    adsIngested: m.counter('ingest_ads_total', 'Ads received by ingestion', ['outcome']),
  };
}

/** Messages, the Lobstr importer, opt-outs, receipts and replies. */
function messagingMetrics(m: MetricMakers) {
  return {
    messagesDelivered: m.counter('sender_messages_total', 'Delivery outcomes', ['outcome']),
    lobstrPages: m.counter('importer_pages_total', 'Lobstr result pages imported'),
    lobstrRuns: m.counter('importer_runs_total', LOBSTR_RUNS_HELP, ['outcome', 'trigger']),
    optOuts: m.counter(
      'optouts_total',
      'Phones opted out (source: inbound STOP through the gateway, or api by hand), and the pending messages that cancelled',
      ['source'],
    ),
    optOutCancelled: m.counter('optout_cancelled_messages_total', 'Pending messages cancelled by an opt-out'),
    receipts: m.counter(
      'gateway_receipts_total',
      "The gateway's delivery receipts by status (delivered, undelivered) and outcome (recorded, unchanged: a repeat)",
      ['status', 'outcome'],
    ),
    replies: m.counter(
      'replies_total',
      "Sellers' replies by provider and whether a message of ours explained them (matched: joined to a lead, SellerReplied; not: kept for operators)",
      ['provider', 'matched'],
    ),
    backfillsSkipped: m.counter(
      'matcher_backfills_skipped_total',
      'Hunt changes that needed no look back (UPDATED without a change of criteria: a rename, a template, contact hours)',
    ),
  };
}

/** The providers, the webhooks and the process itself. */
function providerMetrics(m: MetricMakers) {
  return {
    providerRequests: m.counter(
      'provider_requests_total',
      'Message requests to each provider (http, twilio, brevo) by outcome: sent, looked_up (a doubtful attempt found sent), retry, permanent, opted_out',
      ['provider', 'outcome'],
    ),
    providerCallbacks: m.counter(
      'provider_callbacks_total',
      "Providers' callbacks by provider, kind (status, inbound, event) and outcome (recorded, unchanged, opted_out, opted_in, reply, ignored, unknown, refused)",
      ['provider', 'kind', 'outcome'],
    ),
    sendingHeld: m.gauge(
      'sending_held',
      'Accounts (scope=account) and providers (scope=provider) whose sending is held, by reason (credentials, region_not_enabled, sender_not_allowed, whatsapp_sender_unknown, no_credits, carrier_filtering), as the database says at each scrape',
      ['scope', 'reason'],
    ),
    webhookAttempts: m.counter(
      'webhook_attempts_total',
      'Webhook delivery attempts by outcome: delivered (a 2xx), retry-scheduled, failed (the retry schedule used up)',
      ['outcome'],
    ),
    webhookEndpointsDisabled: m.counter(
      'webhook_endpoints_disabled_total',
      'Webhook endpoints disabled because every attempt failed for WEBHOOK_DISABLE_AFTER',
    ),
    webhookEndpointsFailing: m.gauge(
      'webhook_endpoints_failing',
      'Enabled webhook endpoints whose last attempts failed (state: failing), and endpoints disabled for failing (state: disabled), counted by the deliverer every minute',
      ['state'],
    ),
    ready: m.gauge('ready', 'Readiness checks as /readyz runs them, at each scrape (1 ok, 0 failing)', ['check']),
    tableUpkeep: m.counter(
      'table_upkeep_total',
      'VACUUM and ANALYZE the service ran itself on a server without autovacuum (src/db/tableUpkeep.ts), by table and action',
      ['table', 'action'],
    ),
    retentionDeleted: m.counter(
      'retention_deleted_rows_total',
      'Rows the retention job deleted (src/db/retention.ts), by table',
      ['table'],
    ),
    hopSeconds: m.histogram(
      'hop_seconds',
      "Time of each hop from an ad's request to the gateway call (hop: see HOPS in src/platform/metrics.ts)",
      ['hop'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
