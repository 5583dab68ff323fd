// Per-file isolation on the shared stack: a database cloned from the migrated template and a topic
// prefix of its own, so test files run in parallel without seeing each other's data.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createDatabase, databaseUrl, dropDatabase } from '../../src/db/databases.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { createCodec, type Codec, type DecodedEvent } from '../../src/events/codec.js';
import { readHeaders, type EventHeaders } from '../../src/events/envelope.js';
import { createTopics, ensureTopics, type Topics } from '../../src/events/topics.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Clock } from '../../src/platform/clock.js';
import { startService, type Service } from '../../src/service.js';
import { waitFor } from './waitFor.js';

export const TOKENS = {
  INGEST_TOKEN: 'test-ingest-token',
  API_TOKEN: 'test-api-token',
  CRON_SECRET: 'test-cron-secret',
  LOBSTR_WEBHOOK_SECRET: 'test-lobstr-secret',
  LOBSTR_API_KEY: 'test-lobstr-key',
  MESSAGE_GATEWAY_TOKEN: 'test-gateway-token',
};

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
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly topics: Topics;
  private services: Service[] = [];

  constructor(
    readonly name: string,
    readonly databaseUrl: string,
    readonly kafkaBrokers: string[],
    readonly db: Db,
    private readonly postgresUrl: string,
  ) {
    this.kafka = new Kafka({ brokers: kafkaBrokers, clientId: `test-${name}`, logLevel: logLevel.NOTHING });
    this.codec = createCodec();
    this.topics = createTopics(`${name}.`);
  }

  /** The environment a service of this test file runs with (also given to child processes). */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: this.kafkaBrokers.join(','),
      TOPIC_PREFIX: this.topics.prefix,
      TOPIC_PARTITIONS: '3',
      PORT: '0',
      HOST: '127.0.0.1',
      ROLES: 'api,relay',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
      LOG_PRETTY: 'false',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      OUTBOX_POLL_MS: '1000',
      MESSAGE_GATEWAY_URL: 'http://127.0.0.1:9',
      ...TOKENS,
      ...overrides,
    };
  }

  config(overrides: Record<string, string> = {}): Config {
    return loadConfig(this.env(overrides));
  }

  async startService(overrides: Record<string, string> = {}, options: { clock?: Clock; onFatal?: (e: Error) => void } = {}): Promise<Service> {
    const config = this.config(overrides);
    const log = createLogger({ level: config.log.level, pretty: 'false', name: `${this.name}:${config.instanceId}` });
    const service = await startService({ config, log, ...options });
    this.services.push(service);
    return service;
  }

  async ensureTopics() {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics, { partitions: 3, replicationFactor: 1 });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads a topic from the beginning until `until` holds for what was read (or fails after the
   * timeout), with a consumer group of its own. Values are decoded with the codec when possible.
   */
  async readTopic(topic: string, until: (events: ReadEvent[]) => boolean, timeoutMs = 30_000): Promise<ReadEvent[]> {
    const full = topic.startsWith(this.topics.prefix) ? topic : `${this.topics.prefix}${topic}`;
    const consumer = this.kafka.consumer({ groupId: `${this.name}-reader-${randomBytes(4).toString('hex')}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
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
          events.push({ topic: t, partition, offset: message.offset, key: message.key?.toString() ?? null, headers: readHeaders(message.headers), event, raw: message });
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
          return ends.every((e) => e.high === '0' || committed!.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
        },
        { timeoutMs, message: `${groupId} caught up on ${full}` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until a session of this file's database waits for a lock (e.g. one a test holds). */
  async waitForLockWait(message: string) {
    await waitFor(
      async () => {
        const { rows } = await this.db.raw<{ rows: unknown[] }>(
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`,
        );
        return rows.length > 0;
      },
      { message },
    );
  }

  /** Number of messages currently in a topic (sum of partition high watermarks). */
  async countMessages(topic: string): Promise<number> {
    const full = topic.startsWith(this.topics.prefix) ? topic : `${this.topics.prefix}${topic}`;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(full);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async cleanup() {
    for (const service of this.services.reverse()) await service.stop().catch(() => undefined);
    await this.db.destroy();
    await dropDatabase(this.postgresUrl, this.name).catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.topics.prefix));
      if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}

export async function createTestEnv(): Promise<TestEnv> {
  const stack = inject('stack');
  const name = `${stack.runId}_${randomBytes(4).toString('hex')}`;
  await createDatabase(stack.postgresUrl, name, { template: stack.template });
  const url = databaseUrl(stack.postgresUrl, name);
  return new TestEnv(name, url, stack.kafkaBrokers, createDb(url, { poolMax: 5 }), stack.postgresUrl);
}
