// Sends a message that cannot be applied to `<topic>.dlq`: the original key, value and headers, plus
// why, where from and when (docs/ARCHITECTURE.md section 5).
import type { KafkaMessage, Producer } from 'kafkajs';
import { dlqTopic } from '../../events/topics.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { describeError } from './failures.js';
import type { SendToDeadLetters } from './poison.js';

export interface DeadLetterDeps {
  producer: Pick<Producer, 'send'>;
  topicPrefix: string;
  metrics: Pick<Metrics, 'deadLettered'>;
  log: Logger;
  consumer: string;
  groupId: string;
  now?: () => Date;
}

export function createDeadLetter(deps: DeadLetterDeps): SendToDeadLetters {
  return async ({ topic, partition, raw }: { topic: string; partition: number; raw: KafkaMessage }, reason, error) => {
    deps.log.error({ topic, partition, offset: raw.offset, reason, err: error }, 'event sent to the dead-letter topic');
    deps.metrics.deadLettered.inc({ consumer: deps.consumer, topic: topic.slice(deps.topicPrefix.length), reason });
    await deps.producer.send({
      topic: dlqTopic(topic),
      acks: -1,
      messages: [
        {
          key: raw.key,
          value: raw.value,
          headers: {
            ...raw.headers,
            'dlq-reason': `${reason}: ${describeError(error)}`.slice(0, 2000),
            'dlq-source-topic': topic,
            'dlq-source-partition': String(partition),
            'dlq-source-offset': raw.offset,
            'dlq-consumer': deps.groupId,
            'dlq-at': (deps.now?.() ?? new Date()).toISOString(),
          },
        },
      ],
    });
  };
}
