// The dead letters, for operators: what `npm run dlq` and the console's /v1/ops/dead-letters show and
// replay (one module for both), built from three parts:
//   listing   counts per dead-letter topic and the latest dead letters (src/ops/listDeadLetters.ts);
//   replay    one dead letter, or all that wait in a topic, back to its source (src/ops/replayDeadLetters.ts);
//   replay log what was replayed, in a compacted topic every instance reads (src/ops/replayLog.ts).
//
// A dead letter is a record of `<topic>.dlq`: the original key, value and headers, plus dlq-reason,
// dlq-source-topic, dlq-source-partition, dlq-source-offset, dlq-consumer and dlq-at (written by
// src/consumers/pipeline/deadLetter.ts).
import type { Admin, Kafka, Producer } from 'kafkajs';
import { CONSUMED_TOPICS, dlqTopic, type BaseTopic, type Topics } from '../events/topics.js';
import { createDeadLetterListing } from './listDeadLetters.js';
import { createReplay } from './replayDeadLetters.js';
import type { DeadLetter, DeadLetterCount, ReplayRequest, ReplayResult } from './deadLetterTypes.js';
import { createReplayLog } from './replayLog.js';

export {
  DeadLetterRequestError,
  type DeadLetter,
  type DeadLetterCount,
  type Replayed,
  type ReplayRequest,
  type ReplayResult,
} from './deadLetterTypes.js';

export interface DeadLettersDeps {
  kafka: Kafka;
  admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchTopicMetadata' | 'createTopics' | 'deleteGroups' | 'listTopics'>;
  /** Publishes the replays and the replay log (the service's idempotent producer). */
  producer: Pick<Producer, 'send'>;
  topics: Topics;
  now?: () => Date;
}

export interface DeadLetters {
  topicNames(): BaseTopic[];
  counts(): Promise<DeadLetterCount[]>;
  /** The latest dead letters, newest first (of one topic, or of all). */
  list(options?: { topic?: BaseTopic; limit?: number }): Promise<DeadLetter[]>;
  replay(request: ReplayRequest): Promise<ReplayResult>;
}

export function parseDeadLetterTopic(name: string): BaseTopic | undefined {
  const base = name.endsWith('.dlq') ? name.slice(0, -4) : name;
  return (CONSUMED_TOPICS as string[]).includes(base) ? (base as BaseTopic) : undefined;
}

export function createDeadLetters(deps: DeadLettersDeps): DeadLetters {
  const prefix = deps.topics.prefix;
  const dlqOf = (topic: BaseTopic) => dlqTopic(deps.topics.name(topic));
  const replayLog = createReplayLog({ kafka: deps.kafka, admin: deps.admin, producer: deps.producer, prefix });
  const listing = createDeadLetterListing({ kafka: deps.kafka, admin: deps.admin, prefix, dlqOf, replayLog });
  const replay = createReplay({
    kafka: deps.kafka,
    admin: deps.admin,
    producer: deps.producer,
    topics: deps.topics,
    dlqOf,
    replayLog,
    now: deps.now ?? (() => new Date()),
  });
  return { topicNames: () => [...CONSUMED_TOPICS], counts: listing.counts, list: listing.list, replay };
}
