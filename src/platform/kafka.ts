import { Kafka, Partitioners, logLevel, type LogEntry, type Producer } from 'kafkajs';
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
            : namespace === 'Consumer' && (message.startsWith('Crash: ') || message.startsWith('Restarting the consumer'))
              ? 'debug'
              : (LEVELS[level] ?? 'info');
        // A warning is one line: kafkajs' stack traces of conditions it retries by itself say nothing an
        // operator can act on; errors and debug lines keep theirs.
        kafkaLog[pinoLevel]({ namespace, ...rest, ...(pinoLevel === 'warn' || stack === undefined ? {} : { stack }) }, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/** The producer every part of the service uses: idempotent, acks from all replicas, order kept per partition. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner, so keys land where any other Kafka client expects them.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** A kafkajs error that says it may pass (kafkajs' own errors are retriable unless they say otherwise). */
export const isRetriableKafkaError = (error: unknown) =>
  error instanceof Error && error.name.startsWith('KafkaJS') && (error as { retriable?: boolean }).retriable !== false;

/**
 * Retries a Kafka admin call that a broker may refuse for a moment after topics were created
 * ("not the leader for that topic-partition", "unknown topic or partition").
 */
export function retryKafka<T>(fn: () => Promise<T>, options: { attempts?: number; delayMs?: number } = {}): Promise<T> {
  return retry(fn, { attempts: options.attempts ?? 30, isRetriable: isRetriableKafkaError, delayMs: () => options.delayMs ?? 200 });
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
  const details = [typeof type === 'string' ? type : undefined, typeof retries === 'number' ? `after ${retries} retries` : undefined].filter(Boolean);
  return `${error.name}: ${root.message}${details.length ? ` (${details.join(', ')})` : ''}`;
}
