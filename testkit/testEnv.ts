// Per-file isolation on the shared stack: a database cloned from the migrated template and a topic
// prefix of its own, so test files run in parallel without seeing each other's data.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage, type Message } from 'kafkajs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { createDatabase, databaseUrl as dbUrl, dropDatabase } from '../src/db/databases.js';
import { createDb, type Db } from '../src/db/knex.js';
import { createCodec, type Codec, type DecodedEvent } from '../src/events/codec.js';
import { readHeaders, type EventHeaders } from '../src/events/envelope.js';
import { createTopics, type Topics } from '../src/events/topics.js';
import { deleteTopicsOf } from './runStack.js';
import { countMessages, ensureTopicsOf, serviceEnv } from './serviceEnv.js';
import type { Logger } from '../src/platform/logger.js';
import type { Clock } from '../src/platform/clock.js';
import type { Service } from '../src/service.js';
import { InProcessServices } from './inProcessServices.js';
import { waitFor } from './waitFor.js';

export { TOKENS } from './serviceEnv.js';

export interface ReadEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Partial<EventHeaders> & Record<string, string>;
  event: DecodedEvent | undefined;
  raw: KafkaMessage;
}

export class TestEnv {
  readonly codec: Codec = createCodec();
  private readonly services = new InProcessServices();
  /** The URL of the service useTestEnv({ service }) started. */
  url = '';
  private state?: {
    name: string;
    databaseUrl: string;
    kafkaBrokers: string[];
    db: Db;
    postgresUrl: string;
    kafka: Kafka;
    topics: Topics;
  };

  /** Clones the template database and names this file's topic prefix (useTestEnv calls it in beforeAll). */
  async init(): Promise<this> {
    const stack = inject('stack');
    const name = `${stack.runId}_${randomBytes(4).toString('hex')}`;
    await createDatabase(stack.postgresUrl, name, { template: stack.template });
    const databaseUrl = dbUrl(stack.postgresUrl, name);
    this.state = {
      name,
      databaseUrl,
      kafkaBrokers: stack.kafkaBrokers,
      db: createDb(databaseUrl, { poolMax: 5 }),
      postgresUrl: stack.postgresUrl,
      kafka: new Kafka({ brokers: stack.kafkaBrokers, clientId: `test-${name}`, logLevel: logLevel.NOTHING }),
      topics: createTopics(`${name}.`),
    };
    return this;
  }

  private get s() {
    if (!this.state) throw new Error('the test environment is used before its beforeAll ran');
    return this.state;
  }
  get name() {
    return this.s.name;
  }
  get databaseUrl() {
    return this.s.databaseUrl;
  }
  get kafkaBrokers() {
    return this.s.kafkaBrokers;
  }
  get db() {
    return this.s.db;
  }
  get kafka() {
    return this.s.kafka;
  }
  get topics() {
    return this.s.topics;
  }

  /** The environment a service of this test file runs with (also given to child processes). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return serviceEnv(
      {
        databaseUrl: this.databaseUrl,
        kafkaBrokers: this.kafkaBrokers,
        topicPrefix: this.topics.prefix,
        partitions: 3,
        logLevel: process.env.TEST_LOG_LEVEL ?? 'error',
      },
      // Every response of every test is checked against its documented schema (src/http/schemas.ts).
      {
        ROLES: 'api,relay',
        HTTP_VALIDATE_RESPONSES: 'true',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        OUTBOX_POLL_MS: '1000',
        ...overrides,
      },
    );
  }

  config(overrides: Record<string, string> = {}): Config {
    return loadConfig(this.env(overrides));
  }

  /** `log`: where the service logs (e.g. captureLogs() of testkit/logCapture.ts), instead of stdout. */
  async startService(
    overrides: Record<string, string> = {},
    options: { clock?: Clock; onFatal?: (e: Error) => void; log?: Logger } = {},
  ): Promise<Service> {
    return this.services.start(this.env(overrides), { name: this.name, ...options });
  }

  async ensureTopics() {
    await ensureTopicsOf(this.kafka, this.topics, 3);
  }

  /**
   * Reads a topic from the beginning until `until` holds for what was read (or fails after the
   * timeout), with a consumer group of its own. Values are decoded with the codec when possible.
   */
  async readTopic(topic: string, until: (events: ReadEvent[]) => boolean, timeoutMs = 30_000): Promise<ReadEvent[]> {
    const full = topic.startsWith(this.topics.prefix) ? topic : `${this.topics.prefix}${topic}`;
    const consumer = this.kafka.consumer({
      groupId: `${this.name}-reader-${randomBytes(4).toString('hex')}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    const events: ReadEvent[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: full, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          let event: DecodedEvent | undefined;
          try {
            event = message.value ? this.codec.decode(message.value) : undefined;
          } catch {
            event = undefined;
          }
          events.push({
            topic: t,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            headers: readHeaders(message.headers),
            event,
            raw: message,
          });
        },
      });
      await waitFor(() => until(events), { timeoutMs, message: `reading ${full} (${events.length} read)` });
      return events;
    } finally {
      await consumer.disconnect();
    }
  }

  /** Waits until the consumer group `name` (a role's group, before the prefix) has committed every message of `topic`. */
  async waitForConsumerGroup(name: string, topic: string, timeoutMs = 30_000) {
    const groupId = `${this.topics.prefix}${name}`;
    const full = `${this.topics.prefix}${topic}`;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [full] });
          const ends = await admin.fetchTopicOffsets(full);
          return ends.every(
            (e) => e.high === '0' || committed!.partitions.find((p) => p.partition === e.partition)?.offset === e.high,
          );
        },
        { timeoutMs, message: `${groupId} caught up on ${full}` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Waits until a session of this file's database waits for a lock. With `blockedBy` (a transaction
   * the test holds), only a session that this very transaction blocks counts, so that a lock wait
   * among the service's own sessions cannot be taken for the one the test means.
   */
  async waitForLockWait(message: string, options: { blockedBy?: Knex.Transaction } = {}) {
    const blocker = options.blockedBy
      ? (await options.blockedBy.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      : null;
    await waitFor(
      async () => {
        const { rows } = await this.db.raw<{ rows: unknown[] }>(
          blocker === null
            ? `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`
            : `SELECT 1 FROM pg_stat_activity a WHERE a.datname = current_database() AND ? = ANY (pg_blocking_pids(a.pid))`,
          blocker === null ? [] : [blocker],
        );
        return rows.length > 0;
      },
      { message },
    );
  }

  /** Number of messages currently in a topic (sum of partition high watermarks). */
  countMessages(topic: string): Promise<number> {
    return countMessages(this.kafka, this.fullTopicName(topic));
  }

  /** Writes records straight to a topic, past the outbox: a redelivery, or a value nothing can decode. */
  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: this.fullTopicName(topic), messages });
    } finally {
      await producer.disconnect();
    }
  }

  private fullTopicName(topic: string): string {
    return topic.startsWith(this.topics.prefix) ? topic : `${this.topics.prefix}${topic}`;
  }

  async cleanup() {
    if (!this.state) return;
    await this.services.stopAll(30_000);
    await this.db.destroy();
    await dropDatabase(this.s.postgresUrl, this.name).catch(() => undefined);
    await deleteTopicsOf(this.kafka, this.topics.prefix);
  }
}

/** A test environment for the file, set up in beforeAll and removed in afterAll (services, database, topics). */
export function useTestEnv(options: { topics?: boolean; service?: Record<string, string> } = {}): TestEnv {
  const t = new TestEnv();
  beforeAll(async () => {
    await t.init();
    if (options.topics) await t.ensureTopics();
    if (options.service) t.url = (await t.startService(options.service)).url;
  });
  afterAll(() => t.cleanup());
  return t;
}

/** For a test that builds an environment of its own (useTestEnv is the usual way). */
export const createTestEnv = () => new TestEnv().init();

/**
 * A database of its own (`<runId>_<suffix>`), without migrations, for a test file that runs them itself;
 * dropped after the file. The function returned runs `body` with a one-connection pool on it (creating
 * the database on first use) and closes the pool whatever happens.
 */
export function useBareDatabase(suffix: string) {
  const stack = inject('stack');
  const name = `${stack.runId}_${suffix}`;
  let created = false;
  afterAll(() => dropDatabase(stack.postgresUrl, name));
  return async <T>(body: (db: Db) => Promise<T>): Promise<T> => {
    if (!created) {
      await createDatabase(stack.postgresUrl, name);
      created = true;
    }
    const db = createDb(dbUrl(stack.postgresUrl, name), { poolMax: 1 });
    try {
      return await body(db);
    } finally {
      await db.destroy();
    }
  };
}
