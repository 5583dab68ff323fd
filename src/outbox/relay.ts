// The outbox relay: publishes committed outbox rows to Kafka, then deletes them.
//
// Why no event is skipped: the relay keeps no "last published id". A row stays in the table until
// the broker acknowledged it, and every batch reads the oldest rows still present, so a row that
// commits late (a lower id committed after higher ones) is simply published on a later pass.
//
// Why per-key order holds: all events of a key live in one shard (shardOf), a shard is published
// by one relay at a time (shardOwnership), and a relay sends a shard's rows in id order with the
// idempotent producer (one request in flight), awaiting each batch before reading the next.
// Writers of one key serialise on the entity's row lock before they enqueue, so id order is commit order.
//
// Why nothing is lost: rows are deleted only after the broker acknowledged them (acks=all); a relay
// killed in between republishes them on restart (or another relay does): duplicates, never loss.
// For the same reason the delete need not wait for its WAL flush (synchronous_commit off on the
// relay's session): a delete lost in a database crash only means those rows are published again.
//
// The wire format: rows hold single-object encoded values; with EVENT_WIRE_FORMAT=confluent each is
// framed with its schema's registry id on the way out (src/events/wireFormat.ts). A registry that does
// not answer stops publishing like a broker that does not: the rows wait, and the batch is retried.
import pg from 'pg';
import type { Kafka, Message, Producer } from 'kafkajs';
import { createDb, type Db } from '../db/knex.js';
import { singleObjectWriter, type WireWriter } from '../events/wireFormat.js';
import type { Logger } from '../platform/logger.js';
import type { Hop, Metrics } from '../platform/metrics.js';
import { createProducer } from '../platform/kafka.js';
import { backoffDelay } from '../platform/retry.js';
import type { RoleHandle } from '../platform/roleHandle.js';
import { deleteOutboxRows } from '../sql/outbox/deleteOutboxRows.js';
import { outboxBacklog } from '../sql/outbox/outboxBacklog.js';
import { prepareRelaySession } from '../sql/outbox/relaySession.js';
import { selectOutboxBatch, type OutboxRow } from '../sql/outbox/selectOutboxBatch.js';
import { createShardOwnership } from './shardOwnership.js';

export interface RelayOptions {
  db: Db;
  databaseUrl: string;
  kafka: Kafka;
  log: Logger;
  metrics: Metrics;
  shards: number;
  batchSize: number;
  /** Safety-net poll when no notification arrives. */
  pollMs: number;
  /** How often shard ownership is rebalanced and the backlog gauges refreshed. */
  rebalanceMs?: number;
  /** Warn when the oldest unpublished event is older than this (the broker is likely unreachable). */
  maxAgeWarnMs?: number;
  /** The hop of hunt_matcher_hop_seconds that publishing to a topic ends (full topic name -> hop). */
  hopOfTopic?: ReadonlyMap<string, Hop>;
  /** How values go on the topics (EVENT_WIRE_FORMAT); single-object encoding, as stored, by default. */
  wire?: WireWriter;
}

export interface Relay {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the relay has published everything committed so far (tests, benchmarks). */
  idle(): Promise<void>;
}

/** The backlog is counted again no sooner than this many times the last count's duration. */
const BACKLOG_COUNT_SPACING = 50;

export function createRelay(o: RelayOptions): Relay {
  const log = o.log.child({ component: 'relay' });
  const rebalanceMs = o.rebalanceMs ?? Math.min(o.pollMs, 1000);
  const wire = o.wire ?? singleObjectWriter;
  // The relay reads on a connection of its own: a busy shared pool must not delay publishing.
  const reader = createDb(o.databaseUrl, { poolMax: 1, applicationName: 'hunt-matcher-relay-reader' });
  let backlogTimer: { stop(): void } | undefined;
  const state: RelayState = { producer: undefined, client: undefined, running: false };
  let loop: Promise<void> | undefined;
  const wakeUp = createWakeUp();
  const idleWaiters: Array<() => void> = [];

  async function connect() {
    const session = await openRelaySession(o, log, wakeUp.signal, (lost) => {
      if (state.client === lost) state.client = undefined;
    });
    state.client = session.client;
    return session.ownership;
  }

  const dropProducer = () => dropRelayProducer(state, log);

  async function publishBatch(shards: number[]): Promise<number> {
    const rows = await selectOutboxBatch(reader, shards, o.batchSize);
    if (rows.length === 0) return 0;
    await publishRows(o, wire, rows, state.producer!, () => state.client, dropProducer);
    return rows.length;
  }

  return {
    async start() {
      state.producer = await connectProducer(o.kafka);
      state.running = true;
      loop = runRelayLoop(o, log, state, { connect, publishBatch, wakeUp, idleWaiters, rebalanceMs });
      backlogTimer = countBacklogEvery(o, log, rebalanceMs, () => state.running);
    },
    async stop() {
      state.running = false;
      backlogTimer?.stop();
      wakeUp.wake();
      await loop;
      for (const resolve of idleWaiters) resolve();
      const c = state.client;
      state.client = undefined;
      await closeAll(state.producer, c, reader);
      log.info('relay stopped');
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wakeUp.signal();
      });
    },
  };
}

/** What the relay holds while it runs (replaced on failure: a new session, a new producer). */
interface RelayState {
  producer: Producer | undefined;
  client: pg.Client | undefined;
  running: boolean;
}

/**
 * After a failed send nobody knows which of its partitions the broker wrote: the rows are sent again by
 * a new producer (a new producer id), whose sequence numbers cannot collide with the failed attempt's,
 * so the broker never refuses the resend as out of sequence. Duplicates, never loss (see above).
 */
async function dropRelayProducer(state: RelayState, log: Logger) {
  const p = state.producer;
  state.producer = undefined;
  await p
    ?.disconnect()
    .catch((error: unknown) => log.warn({ err: error }, 'relay producer did not disconnect cleanly'));
}

/** Publishes batch after batch while running; sleeps when nothing is waiting; backs off after a failure. */
async function runRelayLoop(
  o: RelayOptions,
  log: Logger,
  state: RelayState,
  r: {
    connect(): Promise<ReturnType<typeof createShardOwnership>>;
    publishBatch(shards: number[]): Promise<number>;
    wakeUp: ReturnType<typeof createWakeUp>;
    idleWaiters: Array<() => void>;
    rebalanceMs: number;
  },
) {
  let ownership: ReturnType<typeof createShardOwnership> | undefined;
  let lastRebalance = 0;
  let failures = 0;
  while (state.running) {
    try {
      if (!state.client) ownership = await r.connect();
      if (!state.producer) state.producer = await connectProducer(o.kafka);
      if (Date.now() - lastRebalance >= r.rebalanceMs) {
        await rebalanceShards(o, log, ownership!);
        lastRebalance = Date.now();
      }
      r.wakeUp.pending = false;
      const published = ownership!.owned().length > 0 && state.client ? await r.publishBatch(ownership!.owned()) : 0;
      failures = 0;
      if (published > 0) continue; // more may be waiting: no sleep between full batches
      for (const resolve of r.idleWaiters.splice(0)) resolve();
      if (!r.wakeUp.pending) await r.wakeUp.sleep(r.rebalanceMs);
    } catch (error) {
      failures++;
      const delay = backoffDelay(failures, { baseMs: 200, maxMs: 10_000 });
      log.error({ err: error, retryInMs: delay }, 'relay batch failed; rows stay in the outbox and will be retried');
      await r.wakeUp.sleep(delay);
    }
  }
}

/** The relay role: publishes until stopped. */
export async function startRelay(options: RelayOptions): Promise<Relay & RoleHandle> {
  const relay = createRelay(options);
  await relay.start();
  return relay;
}

/** The relay's sleep between batches, cut short by a notification (a commit wrote to the outbox). */
function createWakeUp() {
  let wake: (() => void) | undefined;
  const wakeUp = {
    /** A notification came since the last batch was read: read again before sleeping. */
    pending: false,
    signal: () => {
      wakeUp.pending = true;
      wake?.();
    },
    wake: () => wake?.(),
    sleep(ms: number) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    },
  };
  return wakeUp;
}

function groupByTopic(rows: OutboxRow[], wire: WireWriter): Map<string, Message[]> {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: wire.frame(row.payload), headers: row.headers });
  }
  return byTopic;
}

function countPublished(
  o: RelayOptions,
  rows: OutboxRow[],
  byTopic: Map<string, Message[]>,
  ackedAt: number,
  started: bigint,
) {
  for (const [topic, messages] of byTopic) o.metrics.outboxPublished.inc({ topic }, messages.length);
  for (const row of rows) {
    const seconds = (ackedAt - row.created_at.getTime()) / 1000;
    o.metrics.outboxPublishDelaySeconds.observe(seconds);
    const hop = o.hopOfTopic?.get(row.topic);
    if (hop) o.metrics.hopSeconds.observe({ hop }, seconds);
  }
  o.metrics.outboxBatchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
}

async function refreshBacklog(o: RelayOptions, log: Logger) {
  const backlog = await outboxBacklog(o.db);
  o.metrics.outboxBacklogRows.set(backlog.rows);
  const ageMs = backlog.oldest ? Date.now() - backlog.oldest.getTime() : 0;
  o.metrics.outboxOldestAgeSeconds.set(ageMs / 1000);
  if (o.maxAgeWarnMs !== undefined && ageMs > o.maxAgeWarnMs)
    log.warn({ backlog: backlog.rows, oldestAgeMs: ageMs }, 'outbox backlog is old: is the broker reachable?');
}

/**
 * The backlog gauges beside the publishing loop, not in it: counting a large backlog takes the
 * database time, so the next count waits at least BACKLOG_COUNT_SPACING times as long as the last
 * one took: counting never takes more than a small share of a busy database, and an idle one is
 * counted every rebalanceMs.
 */
function countBacklogEvery(o: RelayOptions, log: Logger, rebalanceMs: number, running: () => boolean) {
  let timer: NodeJS.Timeout;
  const countBacklog = () => {
    const started = Date.now();
    void refreshBacklog(o, log)
      .catch((error: unknown) => log.warn({ err: error }, 'outbox backlog check failed'))
      .finally(() => {
        if (!running()) return;
        timer = setTimeout(countBacklog, Math.max(rebalanceMs, BACKLOG_COUNT_SPACING * (Date.now() - started)));
        timer.unref();
      });
  };
  timer = setTimeout(countBacklog, rebalanceMs);
  timer.unref();
  return { stop: () => clearTimeout(timer) };
}

/**
 * Sends the rows, then deletes them once the broker acknowledged them, on the relay's own session
 * (`session()`: undefined when it was lost meanwhile, and then the rows are published again).
 */
async function publishRows(
  o: RelayOptions,
  wire: WireWriter,
  rows: OutboxRow[],
  producer: Producer,
  session: () => pg.Client | undefined,
  dropProducer: () => Promise<void>,
) {
  await wire.prepare();
  const started = process.hrtime.bigint();
  const byTopic = groupByTopic(rows, wire);
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  } catch (error) {
    await dropProducer();
    throw error;
  }
  const ackedAt = Date.now();
  // Only now, with the broker's acknowledgement, may the rows go (on the relay's own session: see above).
  const client = session();
  if (!client)
    throw new Error('relay connection lost before its published rows were deleted; they will be published again');
  await deleteOutboxRows(
    client,
    rows.map((r) => r.id),
  );
  countPublished(o, rows, byTopic, ackedAt, started);
}

/** The relay's own session: notified of commits to the outbox, holding the locks of the shards it owns. */
async function openRelaySession(o: RelayOptions, log: Logger, signal: () => void, lost: (client: pg.Client) => void) {
  const c = new pg.Client({ connectionString: o.databaseUrl, application_name: 'hunt-matcher-relay' });
  c.on('error', (error) => {
    // The session (and with it every shard lock) is gone: stop publishing until reconnected.
    log.error({ err: error }, 'relay connection lost; shards released');
    lost(c);
    signal();
  });
  c.on('notification', signal);
  await c.connect();
  await prepareRelaySession(c);
  const ownership = createShardOwnership(c, o.shards);
  const slot = await ownership.join();
  log.info({ slot }, 'relay joined');
  return { client: c, ownership };
}

async function connectProducer(kafka: Kafka) {
  const p = createProducer(kafka);
  await p.connect();
  return p;
}

async function rebalanceShards(o: RelayOptions, log: Logger, ownership: ReturnType<typeof createShardOwnership>) {
  const { acquired, released } = await ownership.rebalance();
  if (acquired.length || released.length)
    log.info({ acquired, released, owned: ownership.owned() }, 'outbox shards rebalanced');
  o.metrics.outboxShardsOwned.set(ownership.owned().length);
}

async function closeAll(producer: Producer | undefined, client: pg.Client | undefined, reader: Db) {
  await producer?.disconnect();
  await client?.end().catch(() => undefined);
  await reader.destroy();
}
