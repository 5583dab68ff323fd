// What a service of a test or a benchmark runs with: the environment a container would get, and the
// topics of its prefix. Tests and bench build services the same way.
import type { Kafka } from 'kafkajs';
import { createTopics, ensureTopics, type Topics } from '../src/events/topics.js';
import { retryKafka } from '../src/platform/kafka.js';

/** The secrets every harness service uses (also what the test HTTP client sends). */
export const TOKENS = {
  INGEST_TOKEN: 'test-ingest-token',
  API_TOKEN: 'test-api-token',
  CRON_SECRET: 'test-cron-secret',
  OPS_TOKEN: 'test-ops-token',
  LOBSTR_WEBHOOK_SECRET: 'test-lobstr-secret',
  LOBSTR_API_KEY: 'test-lobstr-key',
  MESSAGE_GATEWAY_TOKEN: 'test-gateway-token',
  MESSAGE_GATEWAY_WEBHOOK_SECRET: 'test-gateway-webhook-secret',
};

/** The French rules as the harness services apply them (SENDER_NAME_DEFAULT, and the default STOP mention of a long number). */
export const HARNESS_OUTREACH = {
  optOutMention: 'Répondez STOP pour ne plus recevoir nos SMS',
  senderNameDefault: 'Garage Test',
};

export interface ServiceBase {
  databaseUrl: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  partitions: number;
  logLevel: string;
}

export function serviceEnv(base: ServiceBase, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: base.databaseUrl,
    KAFKA_BROKERS: base.kafkaBrokers.join(','),
    TOPIC_PREFIX: base.topicPrefix,
    TOPIC_PARTITIONS: String(base.partitions),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: base.logLevel,
    LOG_PRETTY: 'false',
    // A closed port: a sender that is not given a gateway fails fast and visibly.
    MESSAGE_GATEWAY_URL: 'http://127.0.0.1:9',
    // Messages go out at once unless a test sets contact hours (the production default is Monday to Saturday, 08:00-20:00).
    CONTACT_HOURS_DEFAULT: 'always',
    // Accounts that give no senderName sign their SMS with this one; a test of the rule unsets it.
    SENDER_NAME_DEFAULT: HARNESS_OUTREACH.senderNameDefault,
    // The suite's hunts and ads use made-up brands, one per test, so that tests never match each
    // other's ads; the check of LeBonCoin's brands has its own test (test/http/brands.int.spec.ts).
    BRANDS_CHECK: 'off',
    ...TOKENS,
    ...overrides,
  };
}

export async function ensureTopicsOf(
  kafka: Kafka,
  topics: Topics | string,
  partitions: number,
  replication: { replicationFactor: number; minInsyncReplicas?: number } = { replicationFactor: 1 },
): Promise<Topics> {
  const t = typeof topics === 'string' ? createTopics(topics) : topics;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, t, { partitions, ...replication });
  } finally {
    await admin.disconnect();
  }
  return t;
}

/** Number of messages in a topic (sum of its partitions' high watermarks minus low ones). */
export async function countMessages(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await retryKafka(() => admin.fetchTopicOffsets(topic));
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
