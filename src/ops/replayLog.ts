// The record of what operators replayed. Kafka cannot delete one record of a topic, so each replay is
// recorded in a compacted topic of its own, `<prefix>dlq.replays` (key: dead-letter topic, partition,
// offset; value: when, and where it was published), which every instance and the CLI read: a dead
// letter is waiting until it is replayed.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createTopicsOnce, waitForTopicLeaders } from '../events/topics.js';
import { retryKafka } from '../platform/kafka.js';
import { readRecords, watermarksOf } from './readRecords.js';

const REPLAY_LOG = 'dlq.replays';

export interface ReplayLog {
  /** `dlqTopic:partition:offset` -> when it was replayed (read again only once the topic grew). */
  entries(): Promise<Map<string, string>>;
  record(entries: Array<{ key: string; value: string }>): Promise<void>;
}

/** The replay log's key of a dead letter. */
export const replayKeyOf = (dlqTopic: string, partition: number, offset: string) =>
  `${dlqTopic}:${partition}:${offset}`;

/** The dead-letter topic, partition and offset a replay log key names. */
export function splitReplayKey(key: string): [string, number, bigint] {
  const parts = key.split(':');
  const offset = parts.pop() ?? '0';
  const partition = Number(parts.pop() ?? 0);
  return [parts.join(':'), partition, BigInt(/^\d+$/.test(offset) ? offset : '0')];
}

export function createReplayLog(deps: {
  kafka: Kafka;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicMetadata' | 'createTopics' | 'deleteGroups' | 'listTopics'>;
  producer: Pick<Producer, 'send'>;
  prefix: string;
}): ReplayLog {
  const topic = `${deps.prefix}${REPLAY_LOG}`;
  const reader = { kafka: deps.kafka, admin: deps.admin, groupPrefix: deps.prefix };
  let cached: { high: bigint; entries: Map<string, string> } | undefined;

  return {
    async entries() {
      if (!(await deps.admin.listTopics()).includes(topic)) return new Map();
      const marks = await watermarksOf(deps.admin, topic);
      const high = marks.reduce((n, m) => n + m.high, 0n);
      if (cached && cached.high === high) return cached.entries;
      const records = await readRecords(
        reader,
        marks.map((m) => ({ topic, partition: m.partition, from: m.low, to: m.high })),
      );
      const entries = new Map<string, string>();
      for (const { message } of records) {
        if (!message.key || !message.value) continue;
        entries.set(
          message.key.toString(),
          (JSON.parse(message.value.toString()) as { replayedAt: string }).replayedAt,
        );
      }
      cached = { high, entries };
      return entries;
    },

    async record(entries) {
      if (entries.length === 0) return;
      if (!(await deps.admin.listTopics()).includes(topic)) {
        await createTopicsOnce(deps.admin, [
          { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        ]);
        await waitForTopicLeaders(deps.admin, [topic]);
      }
      await retryKafka(() => deps.producer.send({ topic, acks: -1, messages: entries }));
    },
  };
}
