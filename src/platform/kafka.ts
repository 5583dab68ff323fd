import {
  Kafka,
  Partitioners,
  logLevel,
  type LogEntry,
  type Producer,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';
import type { Logger } from './logger.js';
import { retry } from './retry.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  const kafkaLog = options.log.child({ component: 'kafkajs' });
  return new Kafka({
    brokers: options.brokers,
    clientId: options.clientId,
    // kafkajs logs through our pino logger, at warn and above: its info lines are per-connection noise.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, stack, ...rest } = log;
        // Our idempotent producers bound their retries on purpose (a batch that fails is sent
        // again from the outbox: duplicates allowed, loss not), so this warning is expected.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        // Connection-level error responses ("coordinator is loading", "not leader") are retried by
        // kafkajs itself; what finally fails reaches us as a thrown error, logged where it is handled.
        // A consumer's crash is logged by our pipeline from the CRASH event, at warn when kafkajs
        // restarts it and at fatal when it cannot: its own two error lines would say it twice.
        const pinoLevel =
          namespace === 'Connection' && level === logLevel.ERROR
            ? 'debug'
            : namespace === 'Consumer' &&
                (message.startsWith('Crash: ') || message.startsWith('Restarting the consumer'))
              ? 'debug'
              : (LEVELS[level] ?? 'info');
        // A warning is one line: kafkajs' stack traces of conditions it retries by itself say nothing an
        // operator can act on; errors and debug lines keep theirs.
        kafkaLog[pinoLevel](
          { namespace, ...rest, ...(pinoLevel === 'warn' || stack === undefined ? {} : { stack }) },
          message,
        );
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * A send that kafkajs resolved although some partitions it routed messages to were never acknowledged.
 * Retriable: the caller sends again (the relay keeps the rows in the outbox).
 */
export class UnacknowledgedSendError extends Error {
  readonly retriable = true;
  constructor(readonly partitions: string[]) {
    super(
      `the broker acknowledged the send without ${partitions.length} of its partitions (${partitions.slice(0, 5).join(', ')}): sending again`,
    );
    this.name = 'UnacknowledgedSendError';
  }
}

/** Keys whose partition a producer remembers before it starts over (a bound on its memory). */
const MAX_REMEMBERED_KEYS = 100_000;

/**
 * The partitions the messages of a send were routed to: each message object, as kafkajs hands it to the
 * partitioner, names its send's set. A map of the objects rather than an async context: an async context
 * would put hooks on every promise of the process.
 */
const routedBy = new WeakMap<object, Set<string>>();

/**
 * The producer every part of the service uses: idempotent, acks from all in-sync replicas (every send
 * passes acks: -1), one request in flight per broker so that order is kept per partition.
 *
 * Its send and sendBatch check that every partition a message was routed to is in the acknowledgement.
 * kafkajs 2.2.4 can resolve a send that never reached some partitions when a leader moves during it
 * (tulios/kafkajs#1303, fix proposed in #1798): it keeps each broker's response across its retries, so
 * partitions whose leader died and moved to a broker that had already answered for its own partitions
 * are not sent again, yet the send succeeds. The three-node fault test found events missing that way
 * (test/chaos/cluster.chaos.spec.ts); with this check such a send fails and is made again.
 */
export function createProducer(kafka: Kafka): Producer {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner, so keys land where any other Kafka client expects them;
    // each choice noted for the check above. A keyed message's partition depends only on its key and
    // the topic's partition count, so it is remembered: most events are keyed by an account or a hunt,
    // few and recurring, and kafkajs' murmur2, on 64-bit Long arithmetic in JavaScript, is costly to run
    // for every event. Ad ids (ads.scraped) recur rarely: they are what the bound is for.
    createPartitioner: () => {
      const choose = Partitioners.DefaultPartitioner();
      const chosen = new Map<string, number>();
      return (args) => {
        const { message, partitionMetadata } = args;
        const cacheable =
          typeof message.key === 'string' && (message.partition === undefined || message.partition === null);
        const memo = cacheable ? `${partitionMetadata.length}:${message.key as string}` : undefined;
        let partition = memo === undefined ? undefined : chosen.get(memo);
        if (partition === undefined) {
          partition = choose(args);
          if (memo !== undefined) {
            if (chosen.size >= MAX_REMEMBERED_KEYS) chosen.clear();
            chosen.set(memo, partition);
          }
        }
        routedBy.get(message)?.add(`${args.topic}[${partition}]`);
        return partition;
      };
    },
  });
  const checked = async (
    acks: number | undefined,
    messages: Iterable<object>,
    send: () => Promise<RecordMetadata[]>,
  ) => {
    const partitions = new Set<string>();
    for (const message of messages) routedBy.set(message, partitions);
    const answers = await send();
    if (acks === 0) return answers;
    const acknowledged = new Set(answers.map((a) => `${a.topicName}[${a.partition}]`));
    const missing = [...partitions].filter((p) => !acknowledged.has(p));
    if (missing.length > 0) throw new UnacknowledgedSendError(missing);
    return answers;
  };
  return {
    ...producer,
    send: (record: ProducerRecord) => checked(record.acks, record.messages, () => producer.send(record)),
    sendBatch: (batch: ProducerBatch) =>
      checked(
        batch.acks,
        (batch.topicMessages ?? []).flatMap((t) => t.messages),
        () => producer.sendBatch(batch),
      ),
  };
}

/** A kafkajs error that says it may pass (kafkajs' own errors are retriable unless they say otherwise). */
export const isRetriableKafkaError = (error: unknown) =>
  error instanceof Error && error.name.startsWith('KafkaJS') && (error as { retriable?: boolean }).retriable !== false;

/**
 * Retries a Kafka admin call that a broker may refuse for a moment after topics were created
 * ("not the leader for that topic-partition", "unknown topic or partition").
 */
export function retryKafka<T>(fn: () => Promise<T>, options: { attempts?: number; delayMs?: number } = {}): Promise<T> {
  return retry(fn, {
    attempts: options.attempts ?? 30,
    isRetriable: isRetriableKafkaError,
    delayMs: () => options.delayMs ?? 200,
  });
}

/**
 * One line for a kafkajs error and its causes, without stacks: "KafkaJSNumberOfRetriesExceeded: The
 * coordinator is loading and hence can't process requests (COORDINATOR_LOAD_IN_PROGRESS, after 5 retries)".
 * For conditions that pass by themselves (a fresh broker loading its group coordinator), where a
 * stack trace says nothing an operator can act on.
 */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  const root = chain[chain.length - 1]!;
  const type = (root as { type?: unknown }).type;
  const retries = (error as { retryCount?: unknown }).retryCount;
  const details = [
    typeof type === 'string' ? type : undefined,
    typeof retries === 'number' ? `after ${retries} retries` : undefined,
  ].filter(Boolean);
  return `${error.name}: ${root.message}${details.length ? ` (${details.join(', ')})` : ''}`;
}
