// What the console reads from Kafka about the pipeline: messages in each topic (the console derives
// throughput from two readings) and each shared consumer group's lag, the same for every instance.
import type { Admin } from 'kafkajs';
import { BASE_TOPICS, type BaseTopic, type Topics } from '../events/topics.js';

/**
 * The shared consumer groups (names as the roles give them to the pipeline, before TOPIC_PREFIX) and
 * the topic each reads. The matcher's index groups are one per instance and read from the end; not lag.
 */
export const CONSUMER_GROUPS: ReadonlyArray<{ consumer: string; topic: BaseTopic }> = [
  { consumer: 'matcher', topic: 'ads.scraped' },
  { consumer: 'matcher-backfill', topic: 'hunts.changed' },
  { consumer: 'matcher-ticks', topic: 'hunts.ticks' },
  { consumer: 'importer', topic: 'lobstr.runs' },
  { consumer: 'sender', topic: 'messages.send' },
];

export interface TopicFigures {
  topic: BaseTopic;
  /** Sum of the partitions' high watermarks: every message ever written to the topic. */
  messages: number;
}

export interface GroupLag {
  consumer: string;
  topic: BaseTopic;
  /** Messages not yet committed by the group; null when the group has committed nothing yet. */
  lag: number | null;
}

export interface PipelineFigures {
  topics(): Promise<TopicFigures[]>;
  lag(): Promise<GroupLag[]>;
}

export function createPipelineFigures(deps: {
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;
  topics: Topics;
}): PipelineFigures {
  const highs = async (topic: BaseTopic) => {
    const offsets = await deps.admin.fetchTopicOffsets(deps.topics.name(topic));
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  };
  return {
    async topics() {
      return Promise.all(
        BASE_TOPICS.map(async (topic) => ({
          topic,
          messages: [...(await highs(topic)).values()].reduce((n, h) => n + h, 0),
        })),
      );
    },
    async lag() {
      return Promise.all(
        CONSUMER_GROUPS.map(async ({ consumer, topic }) => {
          const [end, [committed]] = await Promise.all([
            highs(topic),
            deps.admin.fetchOffsets({ groupId: `${deps.topics.prefix}${consumer}`, topics: [deps.topics.name(topic)] }),
          ]);
          const partitions = committed?.partitions ?? [];
          if (partitions.every((p) => p.offset === '-1')) return { consumer, topic, lag: null };
          const lag = partitions.reduce(
            (n, p) => n + Math.max(0, (end.get(p.partition) ?? 0) - (p.offset === '-1' ? 0 : Number(p.offset))),
            0,
          );
          return { consumer, topic, lag };
        }),
      );
    },
  };
}
