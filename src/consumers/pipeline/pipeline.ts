// The consumer pipeline every consumer runs, as a stack of small layers (one file each):
//
//   kafkaConsumer   fetch, cut into chunks, decode (unreadable -> dead-letter), commit the offset after
//   coalesce        (opt-in) the partitions' batches of one fetch applied together, in one transaction
//   isolatePoison   a batch that fails for good is applied event by event; the culprit is dead-lettered
//   retryTransient  transient failures retried with backoff in place, conflicts a few times
//   countApplied    metrics: applied, skipped as duplicates
//   inTransaction   one database transaction for
//   deduplicate       the inbox rows and
//   handle            the handler's effects
//
// or, for work that cannot run in a transaction, `outsideTransaction` in place of the last three.
import type { Kafka, Producer } from 'kafkajs';
import type { Db } from '../../db/knex.js';
import type { Codec } from '../../events/codec.js';
import type { EventType } from '../../events/schemas.js';
import type { BaseTopic, Topics } from '../../events/topics.js';
import type { Logger } from '../../platform/logger.js';
import type { Hop, Metrics } from '../../platform/metrics.js';
import { coalesce } from './coalesce.js';
import { countApplied } from './countApplied.js';
import { createDeadLetter } from './deadLetter.js';
import { deduplicate, withoutInbox, type TransactionalHandle } from './deduplicate.js';
import { startInboxPruning } from './inboxPruning.js';
import { runKafkaConsumer, type RunningConsumer } from './kafkaConsumer.js';
import { outsideTransaction, type OutsideTransactionStage } from './outsideTransaction.js';
import { isolatePoison, type SendToDeadLetters } from './poison.js';
import type { Apply } from './consumedEvent.js';
import { retryTransient } from './retry.js';
import { inTransaction } from './transaction.js';

export type { ConsumedEvent, HandlerContext } from './consumedEvent.js';
export type { RunningConsumer } from './kafkaConsumer.js';

type Work<K extends EventType, R> =
  /** Applied in one transaction with the inbox rows (dedupe: false skips the inbox, for idempotent effects). */
  | { handle: TransactionalHandle<K>; dedupe?: boolean }
  /** Work outside any transaction, then the inbox rows. */
  | { stage: OutsideTransactionStage<K, R> };

/** R: what an outside-transaction stage's work hands to its settlement. */
export type ConsumerSpec<K extends EventType, R = void> = Work<K, R> & {
  /** Names the consumer group (after TOPIC_PREFIX) and the inbox rows. */
  name: string;
  /** A group of its own (e.g. one per instance); defaults to `${prefix}${name}`. */
  groupId?: string;
  topics: BaseTopic[];
  eventTypes: readonly K[];
  fromBeginning?: boolean;
  /** Events per transaction. */
  batchSize?: number;
  /** Where to start reading, once the consumer joined (e.g. offsets captured before a snapshot). */
  seekOnStart?: Array<{ topic: string; partition: number; offset: string }>;
  /**
   * Apply the batches of every partition fetched together in one pass (one transaction), rather than
   * one transaction per partition: for consumers whose events are independent across partitions.
   * `passesAtOnce` (default 1) lets more passes run at once, each with partitions of its own.
   */
  coalesce?: boolean | { passesAtOnce: number };
  /** Hops of hunt_matcher_hop_seconds this consumer times: produced -> fetched, fetched -> committed. */
  hops?: { published?: Hop; committed?: Hop };
};

export interface PipelineDeps {
  kafka: Kafka;
  db: Db;
  codec: Codec;
  topics: Topics;
  log: Logger;
  metrics: Pick<Metrics, 'consumed' | 'deduplicated' | 'deadLettered' | 'retries' | 'consumerLag' | 'hopSeconds'>;
  dlqProducer: Pick<Producer, 'send'>;
  concurrency: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Inbox rows older than this are pruned (hourly). */
  inboxRetentionDays?: number;
  /** The process cannot go on (the consumer crashed for good): exit, so a supervisor restarts it. */
  onFatal(error: Error): void;
  /** Resolves true when the database and the broker answer: asked before an event is called poison. */
  probe?: () => Promise<boolean>;
}

/** Partitions a coalescing consumer handles at once: all it is likely to be assigned. */
const COALESCED_PARTITIONS = 64;

/** What roles receive: a way to start a consumer, with the pipeline's dependencies already bound. */
export type StartConsumer = <K extends EventType, R = void>(spec: ConsumerSpec<K, R>) => Promise<RunningConsumer>;

export const createPipeline =
  (deps: PipelineDeps): StartConsumer =>
  (spec) =>
    startConsumer(deps, spec);

export async function startConsumer<K extends EventType, R = void>(
  deps: PipelineDeps,
  spec: ConsumerSpec<K, R>,
): Promise<RunningConsumer> {
  const groupId = spec.groupId ?? `${deps.topics.prefix}${spec.name}`;
  const log = deps.log.child({ consumer: spec.name });
  const topicPrefix = deps.topics.prefix;
  const deadLetter = createDeadLetter({
    producer: deps.dlqProducer,
    topicPrefix,
    metrics: deps.metrics,
    log,
    consumer: spec.name,
    groupId,
  });

  const apply = stackLayers(deps, spec, groupId, log, deadLetter);

  const running = await runKafkaConsumer({
    kafka: deps.kafka,
    codec: deps.codec,
    log,
    metrics: deps.metrics,
    name: spec.name,
    groupId,
    topicPrefix,
    topics: spec.topics.map((t) => deps.topics.name(t)),
    eventTypes: spec.eventTypes,
    fromBeginning: spec.fromBeginning ?? true,
    chunkSize: spec.batchSize ?? 100,
    // A coalescing consumer takes every assigned partition's batch at once (they share one transaction).
    concurrency: spec.coalesce ? COALESCED_PARTITIONS : deps.concurrency,
    sessionTimeoutMs: deps.sessionTimeoutMs,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
    seekOnStart: spec.seekOnStart,
    hops: spec.hops,
    apply,
    deadLetter,
    onFatal: deps.onFatal,
  });
  const pruning = startInboxPruning(deps.db, groupId, deps.inboxRetentionDays ?? 14, log);
  log.info({ groupId, topics: spec.topics }, 'consumer started');

  return {
    ...running,
    async stop() {
      pruning.stop();
      await running.stop();
      log.info('consumer stopped');
    },
  };
}

/** The layers under kafkaConsumer, from coalesce (opt-in) down to the handler or the stage. */
function stackLayers<K extends EventType, R>(
  deps: PipelineDeps,
  spec: ConsumerSpec<K, R>,
  groupId: string,
  log: Logger,
  deadLetter: SendToDeadLetters,
): Apply<K> {
  const topicPrefix = deps.topics.prefix;
  const work =
    'stage' in spec
      ? outsideTransaction(deps.db, groupId, spec.stage)
      : inTransaction(deps.db, spec.dedupe === false ? withoutInbox(spec.handle) : deduplicate(groupId, spec.handle));
  const guarded = isolatePoison(
    retryTransient(countApplied(work, { metrics: deps.metrics, consumer: spec.name, topicPrefix }), {
      onRetry: ({ error, kind, attempt, retryInMs, topic, offset }) => {
        deps.metrics.retries.inc({ consumer: spec.name, topic: topic.slice(topicPrefix.length) });
        log.warn({ err: error, kind, attempt, retryInMs, offset }, 'retriable failure; retrying without moving on');
      },
    }),
    deadLetter,
    {
      probe: deps.probe,
      onHold: ({ reason, error, retryInMs }) => log.warn({ err: error, retryInMs }, reason),
    },
  );
  return spec.coalesce ? coalesce(guarded, typeof spec.coalesce === 'object' ? spec.coalesce : {}) : guarded;
}
