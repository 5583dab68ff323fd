// The kafkajs end of the pipeline: joins the group, cuts each fetched batch into chunks, decodes
// them (an unreadable message goes straight to the dead-letter topic), hands the events to the
// stack of layers, and commits the chunk's offset only once the layers are done with it.
// A chunk's Confluent-framed values have their schema ids looked up first (src/events/codec.ts); a
// schema registry that does not answer holds the partition and is retried, like a database outage:
// it is never a reason to dead-letter an event.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Codec } from '../../events/codec.js';
import type { EventType } from '../../events/schemas.js';
import { describeKafkaError } from '../../platform/kafka.js';
import { backoffDelay, waitWhile } from '../../platform/retry.js';
import type { Logger } from '../../platform/logger.js';
import type { Hop, Metrics } from '../../platform/metrics.js';
import { Interrupted, type Apply, type ConsumedEvent, type HandlerContext } from './consumedEvent.js';
import { DecodeError } from '../../events/codec.js';
import { decodeMessage } from './decode.js';
import { classify } from './failures.js';
import type { SendToDeadLetters } from './poison.js';

export interface KafkaConsumerOptions<K extends EventType> {
  kafka: Kafka;
  codec: Codec;
  log: Logger;
  metrics: Pick<Metrics, 'consumerLag' | 'hopSeconds'>;
  /** Hops this consumer times: produced -> fetched, and fetched -> applied (committed). */
  hops?: { published?: Hop; committed?: Hop };
  name: string;
  groupId: string;
  topicPrefix: string;
  /** Full (prefixed) topic names. */
  topics: string[];
  eventTypes: readonly K[];
  fromBeginning: boolean;
  chunkSize: number;
  concurrency: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  seekOnStart?: Array<{ topic: string; partition: number; offset: string }>;
  apply: Apply<K>;
  deadLetter: SendToDeadLetters;
  /** The consumer crashed and kafkajs will not restart it. */
  onFatal(error: Error): void;
}

export interface RunningConsumer {
  groupId: string;
  consumer: Consumer;
  stop(): Promise<void>;
}

export async function runKafkaConsumer<K extends EventType>(
  o: KafkaConsumerOptions<K>,
): Promise<Omit<RunningConsumer, 'stop'> & { stop(): Promise<void> }> {
  const accepted = new Set<EventType>(o.eventTypes);
  const consumer = groupConsumer(o);
  let running = true;

  consumer.on(consumer.events.CRASH, ({ payload }) => onCrash(o, payload, running));

  async function eachBatch(payload: EachBatchPayload) {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const ctx: HandlerContext = {
      log: o.log.child({ topic: batch.topic, partition: batch.partition }),
      heartbeat,
      isRunning: () => running && isRunning() && !isStale(),
    };
    const messages = batch.messages;
    const receivedAt = Date.now();
    if (o.hops?.published) observeFetched(o, o.hops.published, messages, receivedAt);
    for (let i = 0; i < messages.length; i += o.chunkSize) {
      if (!ctx.isRunning()) return;
      const chunk = messages.slice(i, i + o.chunkSize);
      if (!(await prepareChunk(o.codec, chunk, ctx))) return; // nothing resolved: redelivered after the restart
      const events = await decodeChunk(o, accepted, chunk, batch, receivedAt);
      if (events.length > 0 && !(await applyChunk(o, events, ctx, receivedAt))) return; // redelivered after the restart
      resolveOffset(chunk[chunk.length - 1]!.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
    reportLag(o, batch);
  }

  if (o.seekOnStart?.length) seekOnFirstJoin(consumer, o.seekOnStart);
  await consumer.connect();
  await consumer.subscribe({ topics: o.topics, fromBeginning: o.fromBeginning });
  await consumer.run({
    eachBatchAutoResolve: false,
    // Every resolved chunk is committed at once: its database transaction is already committed,
    // and a restart should redeliver as little as possible.
    autoCommit: true,
    autoCommitThreshold: 1,
    partitionsConsumedConcurrently: o.concurrency,
    eachBatch,
  });

  return {
    groupId: o.groupId,
    consumer,
    async stop() {
      running = false;
      // disconnect() waits for the batch in progress, commits resolved offsets and leaves the group.
      await consumer.disconnect();
    },
  };
}

function groupConsumer<K extends EventType>(o: KafkaConsumerOptions<K>): Consumer {
  return o.kafka.consumer({
    groupId: o.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: o.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(o.sessionTimeoutMs * 2, 10_000),
    // A fetch returns as soon as there is data; this only bounds how long an idle fetch keeps
    // disconnect (and so a graceful shutdown) waiting. kafkajs' default is 5 s.
    maxWaitTimeInMs: 1000,
    retry: { retries: 10 },
  });
}

/** What the partition still holds after the batch, as the consumer lag gauge. */
function reportLag<K extends EventType>(o: KafkaConsumerOptions<K>, batch: EachBatchPayload['batch']) {
  const lag = Number(batch.offsetLag());
  o.metrics.consumerLag.set(
    { consumer: o.name, topic: batch.topic.slice(o.topicPrefix.length), partition: String(batch.partition) },
    lag,
  );
}

/** Looks the chunk's schema ids up, retrying while the registry does not answer; false once stopping. */
async function prepareChunk(codec: Codec, chunk: KafkaMessage[], ctx: HandlerContext): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await codec.prepare(chunk.map((m) => m.value));
      return true;
    } catch (error) {
      if (classify(error) === 'poison') throw error;
      const retryInMs = backoffDelay(attempt, { baseMs: 200, maxMs: 30_000 });
      ctx.log.warn({ err: error, attempt, retryInMs }, 'schema registry unavailable; retrying without moving on');
      await waitWhile(retryInMs, { keepWaiting: ctx.isRunning, tick: ctx.heartbeat });
      if (!ctx.isRunning()) return false;
    }
  }
}

/** The chunk's events; an unreadable message goes straight to the dead-letter topic. */
async function decodeChunk<K extends EventType>(
  o: KafkaConsumerOptions<K>,
  accepted: ReadonlySet<EventType>,
  chunk: KafkaMessage[],
  batch: EachBatchPayload['batch'],
  receivedAt: number,
): Promise<Array<ConsumedEvent<K>>> {
  const events: Array<ConsumedEvent<K>> = [];
  for (const message of chunk) {
    try {
      events.push(decodeMessage<K>(o.codec, accepted, message, batch.topic, batch.partition, receivedAt));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      await o.deadLetter({ topic: batch.topic, partition: batch.partition, raw: message }, error.reason, error);
    }
  }
  return events;
}

/** Hands the events to the layers; false when they were interrupted (a rebalance, a shutdown). */
async function applyChunk<K extends EventType>(
  o: KafkaConsumerOptions<K>,
  events: Array<ConsumedEvent<K>>,
  ctx: HandlerContext,
  receivedAt: number,
): Promise<boolean> {
  // kafkajs heartbeats only when asked: keep the membership alive while a long transaction runs,
  // so that a short session timeout (quick recovery after a crash) does not evict a busy member.
  const beat = setInterval(() => void ctx.heartbeat().catch(() => undefined), o.heartbeatIntervalMs);
  try {
    const applied = await o.apply(events, ctx);
    if (o.hops?.committed && applied.length > 0) {
      const hop = o.metrics.hopSeconds.labels({ hop: o.hops.committed });
      const seconds = (Date.now() - receivedAt) / 1000;
      for (let k = 0; k < applied.length; k++) hop.observe(seconds);
    }
  } catch (error) {
    if (error instanceof Interrupted) return false; // nothing resolved: redelivered after the restart
    throw error;
  } finally {
    clearInterval(beat);
  }
  return true;
}

function onCrash<K extends EventType>(
  o: KafkaConsumerOptions<K>,
  payload: { error: Error; restart: boolean },
  running: boolean,
) {
  if (!running) return;
  if (payload.restart) {
    // A retriable failure (typically the group coordinator still loading on a fresh broker): one
    // short line, the stack says nothing an operator can act on.
    o.log.warn({ error: describeKafkaError(payload.error) }, 'consumer crashed; kafkajs restarts it');
  } else {
    o.log.fatal({ err: payload.error }, 'consumer crashed and cannot restart');
    o.onFatal(payload.error);
  }
}

/** Seeking needs an initialised group: the positions are applied once, when the consumer first joins. */
function seekOnFirstJoin(consumer: Consumer, seeks: Array<{ topic: string; partition: number; offset: string }>) {
  let seeked = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (seeked) return;
    seeked = true;
    for (const s of seeks) consumer.seek(s);
  });
}

function observeFetched<K extends EventType>(
  o: KafkaConsumerOptions<K>,
  published: Hop,
  messages: KafkaMessage[],
  receivedAt: number,
) {
  const hop = o.metrics.hopSeconds.labels({ hop: published });
  for (const m of messages) hop.observe(Math.max(0, receivedAt - Number(m.timestamp)) / 1000);
}
