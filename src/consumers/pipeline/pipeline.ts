// The consumer pipeline shared by every consumer:
//   decode -> deduplicate (inbox) -> handle in one database transaction -> commit the Kafka offset.
// The inbox row (consumer group + event id) is written in the same transaction as the effects, and
// the offset is committed only after that transaction, so a redelivered event changes nothing and
// a crash at any point loses nothing.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Codec, DecodedEvent } from '../../events/codec.js';
import { readHeaders } from '../../events/envelope.js';
import type { EventType } from '../../events/schemas.js';
import { dlqTopic, type BaseTopic, type Topics } from '../../events/topics.js';
import type { EventPayloads } from '../../events/types.generated.js';
import type { Db, Trx } from '../../db/knex.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { backoffDelay } from '../../platform/retry.js';
import { classify, describe, type FailureKind } from './failures.js';

export type ConsumedEvent<K extends EventType = EventType> = {
  [T in K]: {
    eventType: T;
    value: EventPayloads[T];
    eventId: string;
    correlationId: string;
    causationId: string;
    occurredAt: string;
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
  };
}[K];

export interface HandlerContext {
  log: Logger;
  /** Keeps the group membership alive during long work; cheap to call often. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: long work should return early (it will be redelivered). */
  isRunning(): boolean;
}

export interface ConsumerSpec<K extends EventType> {
  /** Names the consumer group (after TOPIC_PREFIX) and the inbox rows. */
  name: string;
  /** A group of its own (e.g. one per instance); defaults to `${prefix}${name}`. */
  groupId?: string;
  topics: BaseTopic[];
  eventTypes: readonly K[];
  fromBeginning?: boolean;
  /** Events per transaction. */
  batchSize?: number;
  /** Work outside the transaction (HTTP calls, long jobs). Must be idempotent: it runs again after a crash. */
  prepare?(event: ConsumedEvent<K>, ctx: HandlerContext): Promise<void>;
  /** How many prepares of one batch run at once (1 keeps them in order; independent work may overlap). */
  prepareConcurrency?: number;
  /** Applies the events the inbox has not seen, inside one transaction. */
  handle?(trx: Trx, events: Array<ConsumedEvent<K>>, ctx: HandlerContext): Promise<void>;
  /** Called after the transaction committed (e.g. to update in-memory state). */
  afterCommit?(events: Array<ConsumedEvent<K>>): void | Promise<void>;
  /** Skip the inbox (a consumer whose effects are idempotent by themselves, e.g. refreshing a cache). */
  dedupe?: boolean;
  /** Where to start reading, once the consumer joined (e.g. offsets captured before a snapshot). */
  seekOnStart?: Array<{ topic: string; partition: number; offset: string }>;
}

export interface PipelineDeps {
  kafka: Kafka;
  db: Db;
  codec: Codec;
  topics: Topics;
  log: Logger;
  metrics: Metrics;
  dlqProducer: Producer;
  concurrency: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Inbox rows older than this are pruned (hourly): redelivery never reaches that far back. */
  inboxRetentionDays?: number;
  /** The process cannot go on (the consumer crashed for good): exit, so a supervisor restarts it. */
  onFatal(error: Error): void;
}

export interface RunningConsumer {
  groupId: string;
  consumer: Consumer;
  stop(): Promise<void>;
}

const MAX_CONFLICT_ATTEMPTS = 10;

export async function startConsumer<K extends EventType>(deps: PipelineDeps, spec: ConsumerSpec<K>): Promise<RunningConsumer> {
  const groupId = spec.groupId ?? `${deps.topics.prefix}${spec.name}`;
  const log = deps.log.child({ consumer: spec.name });
  const chunkSize = spec.batchSize ?? 100;
  const accepted = new Set<EventType>(spec.eventTypes);
  const consumer = deps.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: deps.sessionTimeoutMs,
    heartbeatInterval: deps.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(deps.sessionTimeoutMs * 2, 10_000),
    // A fetch returns as soon as there is data; this only bounds how long an idle fetch keeps
    // disconnect (and so a graceful shutdown) waiting. kafkajs' default is 5 s.
    maxWaitTimeInMs: 1000,
    retry: { retries: 10 },
  });
  let running = true;
  let stopping = false;

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (stopping) return;
    if (payload.restart) {
      log.warn({ err: payload.error }, 'consumer crashed; kafkajs restarts it');
    } else {
      log.fatal({ err: payload.error }, 'consumer crashed and cannot restart');
      deps.onFatal(payload.error);
    }
  });

  function decode(message: KafkaMessage, topic: string, partition: number): ConsumedEvent<K> {
    if (!message.value) throw Object.assign(new Error('message has no value (tombstone)'), { dlqReason: 'empty-value' });
    const headers = readHeaders(message.headers);
    let decoded: DecodedEvent;
    try {
      decoded = deps.codec.decode(message.value);
    } catch (error) {
      throw Object.assign(error as Error, { dlqReason: (error as { reason?: string }).reason ?? 'undecodable' });
    }
    if (!accepted.has(decoded.eventType)) throw Object.assign(new Error(`unexpected event type ${decoded.eventType} on ${topic}`), { dlqReason: 'unexpected-type' });
    if (headers['event-type'] && headers['event-type'] !== decoded.eventType) {
      throw Object.assign(new Error(`header event-type ${headers['event-type']} does not match the value's schema ${decoded.eventType}`), { dlqReason: 'header-mismatch' });
    }
    const eventId = headers['event-id'];
    if (!eventId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(eventId)) {
      throw Object.assign(new Error('missing or invalid event-id header'), { dlqReason: 'missing-event-id' });
    }
    return {
      eventType: decoded.eventType,
      value: decoded.value,
      eventId,
      correlationId: headers['correlation-id'] ?? eventId,
      causationId: headers['causation-id'] ?? eventId,
      occurredAt: headers['occurred-at'] ?? new Date(Number(message.timestamp)).toISOString(),
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
    } as ConsumedEvent<K>;
  }

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string, error: unknown) {
    const base = topic.slice(deps.topics.prefix.length);
    log.error({ topic, partition, offset: message.offset, reason, err: error }, 'event sent to the dead-letter topic');
    deps.metrics.deadLettered.inc({ consumer: spec.name, topic: base, reason });
    await deps.dlqProducer.send({
      topic: dlqTopic(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-reason': `${reason}: ${describe(error)}`.slice(0, 2000),
            'dlq-source-topic': topic,
            'dlq-source-partition': String(partition),
            'dlq-source-offset': message.offset,
            'dlq-consumer': groupId,
            'dlq-at': new Date().toISOString(),
          },
        },
      ],
    });
  }

  /** Runs prepare + the transaction for `events`; throws what failed. */
  async function apply(events: Array<ConsumedEvent<K>>, ctx: HandlerContext) {
    let fresh = events;
    if (spec.dedupe !== false) {
      const seen = new Set(
        (await deps.db('inbox').where({ consumer: groupId }).whereIn('event_id', events.map((e) => e.eventId)).pluck('event_id')) as string[],
      );
      fresh = events.filter((e) => !seen.has(e.eventId));
    }
    if (spec.prepare) {
      const prepare = spec.prepare;
      const width = spec.prepareConcurrency ?? 1;
      for (let i = 0; i < fresh.length; i += width) await Promise.all(fresh.slice(i, i + width).map((event) => prepare(event, ctx)));
    }
    let applied: Array<ConsumedEvent<K>> = [];
    await deps.db.transaction(async (trx) => {
      if (spec.dedupe === false) {
        applied = fresh;
      } else {
        // The same event twice in one batch counts once; a concurrent duplicate loses on the primary key.
        const unique = [...new Map(fresh.map((e) => [e.eventId, e])).values()];
        const inserted = unique.length
          ? await trx('inbox')
              .insert(unique.map((e) => ({ consumer: groupId, event_id: e.eventId })))
              .onConflict(['consumer', 'event_id'])
              .ignore()
              .returning<Array<{ event_id: string }>>('event_id')
          : [];
        const ids = new Set(inserted.map((r) => r.event_id));
        applied = unique.filter((e) => ids.has(e.eventId));
      }
      if (applied.length > 0 && spec.handle) await spec.handle(trx, applied, ctx);
    });
    for (const e of applied) deps.metrics.consumed.inc({ consumer: spec.name, topic: e.topic.slice(deps.topics.prefix.length) });
    const skipped = events.length - applied.length;
    if (skipped > 0) {
      deps.metrics.deduplicated.inc({ consumer: spec.name, topic: events[0]!.topic.slice(deps.topics.prefix.length) }, skipped);
      log.debug({ skipped }, 'duplicate events skipped');
    }
    if (applied.length > 0 && spec.afterCommit) await spec.afterCommit(applied);
  }

  /** Applies a chunk, retrying transient failures and isolating poison events. Returns false if stopping. */
  async function applyWithRetry(events: Array<ConsumedEvent<K>>, raw: Map<string, KafkaMessage>, ctx: HandlerContext, batch: EachBatchPayload): Promise<boolean> {
    let conflicts = 0;
    for (let attempt = 1; ; attempt++) {
      if (!running || batch.isStale()) return false;
      try {
        await apply(events, ctx);
        return true;
      } catch (error) {
        let kind: FailureKind = classify(error);
        if (kind === 'conflict' && ++conflicts > MAX_CONFLICT_ATTEMPTS) kind = 'poison';
        if (kind === 'poison') {
          if (events.length > 1) {
            // Find the culprit: apply one by one, so the good events still go through.
            for (const event of events) if (!(await applyWithRetry([event], raw, ctx, batch))) return false;
            return true;
          }
          const event = events[0]!;
          await deadLetter(event.topic, event.partition, raw.get(event.offset)!, 'handler-failed', error);
          return true;
        }
        deps.metrics.retries.inc({ consumer: spec.name, topic: events[0]!.topic.slice(deps.topics.prefix.length) });
        const delay = backoffDelay(attempt, { baseMs: 200, maxMs: 30_000 });
        log.warn({ err: error, kind, attempt, retryInMs: delay, offset: events[0]!.offset }, 'retriable failure; retrying without moving on');
        const until = Date.now() + delay;
        while (Date.now() < until && running) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
          await batch.heartbeat().catch(() => undefined);
        }
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload) {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const partitionLog = log.child({ topic: batch.topic, partition: batch.partition });
    const ctx: HandlerContext = { log: partitionLog, heartbeat, isRunning: () => running && isRunning() && !isStale() };
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i += chunkSize) {
      if (!ctx.isRunning()) return;
      const chunk = messages.slice(i, i + chunkSize);
      const events: Array<ConsumedEvent<K>> = [];
      const raw = new Map<string, KafkaMessage>();
      for (const message of chunk) {
        try {
          events.push(decode(message, batch.topic, batch.partition));
          raw.set(message.offset, message);
        } catch (error) {
          await deadLetter(batch.topic, batch.partition, message, (error as { dlqReason?: string }).dlqReason ?? 'undecodable', error);
        }
      }
      if (events.length > 0 && !(await applyWithRetry(events, raw, ctx, payload))) return;
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
    const lag = Number(batch.offsetLag());
    deps.metrics.consumerLag.set({ consumer: spec.name, topic: batch.topic.slice(deps.topics.prefix.length), partition: String(batch.partition) }, lag);
  }

  if (spec.seekOnStart?.length) {
    // Seeking needs an initialised group: apply the positions once, when the consumer first joins.
    let seeked = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (seeked) return;
      seeked = true;
      for (const s of spec.seekOnStart ?? []) consumer.seek(s);
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topics: spec.topics.map((t) => deps.topics.name(t)), fromBeginning: spec.fromBeginning ?? true });
  await consumer.run({
    eachBatchAutoResolve: false,
    // Every resolved chunk is committed at once: its database transaction is already committed,
    // and a restart should redeliver as little as possible.
    autoCommit: true,
    autoCommitThreshold: 1,
    partitionsConsumedConcurrently: deps.concurrency,
    eachBatch,
  });
  log.info({ groupId, topics: spec.topics }, 'consumer started');

  const prune = async () => {
    const days = deps.inboxRetentionDays ?? 14;
    const removed = await deps.db('inbox').where({ consumer: groupId }).where('processed_at', '<', deps.db.raw(`now() - make_interval(days => ?)`, [days])).delete();
    if (removed > 0) log.info({ removed, days }, 'old inbox rows pruned');
  };
  const pruneTimer = setInterval(() => void prune().catch((error: unknown) => log.warn({ err: error }, 'inbox pruning failed')), 3_600_000);
  pruneTimer.unref();

  return {
    groupId,
    consumer,
    async stop() {
      running = false;
      stopping = true;
      clearInterval(pruneTimer);
      // disconnect() waits for the batch in progress, commits resolved offsets and leaves the group.
      await consumer.disconnect();
      log.info('consumer stopped');
    },
  };
}
