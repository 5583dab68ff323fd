// The check createProducer adds to kafkajs' send (src/platform/kafka.ts): a send that resolves without
// an acknowledgement for a partition it routed messages to fails instead. The fault the check guards
// against needs a partition leader to die during a send (test/chaos/cluster.chaos.spec.ts meets it on a
// real three-node cluster); here a stand-in for kafkajs' producer plays it: it routes with the
// producer's own partitioner, later (another tick, as kafkajs' retries are), and answers for some
// partitions only.
import type { Kafka, PartitionerArgs, ProducerConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createProducer, UnacknowledgedSendError } from '../../src/platform/kafka.js';

const metadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

function kafkaAnswering(answered: (partition: number) => boolean): Kafka {
  return {
    producer: (config: ProducerConfig) => {
      const partitioner = config.createPartitioner!();
      const sendBatch = async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Array<{ key: string }> }> }) => {
        await new Promise((r) => setTimeout(r, 5));
        const chosen = topicMessages.flatMap(({ topic, messages }) =>
          messages.map((message) => ({ topicName: topic, partition: partitioner({ topic, partitionMetadata: metadata, message } as unknown as PartitionerArgs) })),
        );
        const unique = [...new Map(chosen.map((c) => [`${c.topicName}[${c.partition}]`, c])).values()];
        return unique.filter((c) => answered(c.partition)).map((c) => ({ ...c, errorCode: 0 }));
      };
      return { sendBatch, send: ({ topic, messages, acks }: { topic: string; messages: Array<{ key: string }>; acks?: number }) => sendBatch({ topicMessages: [{ topic, messages }], acks } as never) };
    },
  } as unknown as Kafka;
}

const messages = Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: 'v' }));

describe('the producer', () => {
  it('resolves a send every partition of which was acknowledged', async () => {
    const producer = createProducer(kafkaAnswering(() => true));
    const answers = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'a', messages }] });
    expect(answers.length).toBe(6);
  });

  it('fails a send that kafkajs resolved without acknowledging some of its partitions, naming them', async () => {
    const producer = createProducer(kafkaAnswering((p) => p !== 2 && p !== 4));
    const sent = producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'a', messages }, { topic: 'b', messages: messages.slice(0, 3) }] });
    await expect(sent).rejects.toBeInstanceOf(UnacknowledgedSendError);
    await expect(sent).rejects.toMatchObject({ retriable: true, partitions: expect.arrayContaining(['a[2]', 'a[4]']) as unknown });
    await expect(producer.send({ acks: -1, topic: 'a', messages })).rejects.toBeInstanceOf(UnacknowledgedSendError);
  });

  it('keeps the partitions of concurrent sends apart', async () => {
    const producer = createProducer(kafkaAnswering((p) => p !== 5));
    const routedTo = (p: number) => messages.find((m) => createProducerPartition(m.key) === p)!;
    const [good, bad] = await Promise.allSettled([
      producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'a', messages: [routedTo(0), routedTo(1)] }] }),
      producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'a', messages: [routedTo(5)] }] }),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { partitions: ['a[5]'] } });
  });
});

/** Where kafkajs' default partitioner puts a key among the 6 partitions (the Java client's murmur2). */
function createProducerPartition(key: string): number {
  let chosen = -1;
  const kafka = {
    producer: (config: ProducerConfig) => {
      chosen = config.createPartitioner!()({ topic: 't', partitionMetadata: metadata, message: { key, value: null } } as unknown as PartitionerArgs);
      return {};
    },
  } as unknown as Kafka;
  createProducer(kafka);
  return chosen;
}
