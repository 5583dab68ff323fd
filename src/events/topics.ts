import type { Admin, ITopicConfig } from 'kafkajs';
import type { EventType } from './schemas.js';

/** Topic names of docs/ARCHITECTURE.md section 5, before TOPIC_PREFIX. */
export const TOPIC_OF_EVENT = {
  AdScraped: 'ads.scraped',
  HuntChanged: 'hunts.changed',
  DailyTick: 'hunts.ticks',
  LobstrRunCompleted: 'lobstr.runs',
  LeadCreated: 'leads.created',
  SendMessage: 'messages.send',
  MessageSent: 'messages.sent',
  MessageFailed: 'messages.failed',
  MessageDelivered: 'messages.delivered',
  SellerReplied: 'messages.replied',
} as const satisfies Record<EventType, string>;

export type BaseTopic = (typeof TOPIC_OF_EVENT)[EventType];
export const BASE_TOPICS = Object.values(TOPIC_OF_EVENT) as BaseTopic[];

/**
 * Topics consumed by hunt-matcher itself, which therefore have a dead-letter topic: its own inputs, and
 * the downstream topics the webhook deliverer reads.
 */
export const CONSUMED_TOPICS: BaseTopic[] = [
  'ads.scraped',
  'hunts.changed',
  'hunts.ticks',
  'lobstr.runs',
  'messages.send',
  'leads.created',
  'messages.sent',
  'messages.failed',
  'messages.delivered',
  'messages.replied',
];

export const dlqTopic = (topic: string) => `${topic}.dlq`;

export interface Topics {
  prefix: string;
  /** The full (prefixed) name of a base topic. */
  name(base: BaseTopic): string;
  forEvent(eventType: EventType): string;
  all(): string[];
}

export function createTopics(prefix: string): Topics {
  const name = (base: BaseTopic) => `${prefix}${base}`;
  return {
    prefix,
    name,
    forEvent: (eventType) => name(TOPIC_OF_EVENT[eventType]),
    all: () => [...BASE_TOPICS.map(name), ...CONSUMED_TOPICS.map((t) => dlqTopic(name(t)))],
  };
}

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas of each topic created: with acks=all, a write is acknowledged once on this many replicas. */
  minInsyncReplicas?: number;
  timeoutMs?: number;
}

/**
 * Creates every topic that is missing (existing topics are left as they are) and waits for their leaders.
 * Each is created with its replication factor and min.insync.replicas, and unclean leader election off
 * (Kafka's default, written on the topic so that a cluster default cannot turn it on): a replica that
 * is out of sync never becomes leader, which would drop what the others acknowledged.
 */
export async function ensureTopics(admin: Admin, topics: Topics, options: TopicSettings) {
  const wanted = topics.all();
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await createTopicsOnce(
      admin,
      missing.map((topic) => ({
        topic,
        // Dead-letter topics are read by people, rarely: one partition keeps them in arrival order.
        numPartitions: topic.endsWith('.dlq') ? 1 : options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: [
          { name: 'min.insync.replicas', value: String(options.minInsyncReplicas ?? 1) },
          { name: 'unclean.leader.election.enable', value: 'false' },
        ],
      })),
    );
  }
  await waitForTopicLeaders(admin, wanted, options.timeoutMs ?? 30_000);
  return missing;
}

/**
 * Creates topics without kafkajs' own wait for leaders (see waitForTopicLeaders); a topic that another
 * instance created at the same moment is fine. The caller waits for the leaders it needs.
 */
export async function createTopicsOnce(admin: Pick<Admin, 'createTopics'>, topics: ITopicConfig[]) {
  try {
    await admin.createTopics({ waitForLeaders: false, topics });
  } catch (error) {
    if (
      (error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS' &&
      !/already exists/i.test(String((error as Error).message))
    )
      throw error;
  }
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs' createTopics({ waitForLeaders })
 * gives up on UNKNOWN_TOPIC_OR_PARTITION, which a Kafka 4 broker answers for a moment after creation.
 */
export async function waitForTopicLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: string[],
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (
        meta.length === topics.length &&
        meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
