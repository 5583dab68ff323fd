// The check createProducer adds to kafkajs' send (src/platform/kafka.ts): a send that resolves without
// an acknowledgement for a partition it routed messages to fails instead. The fault the check guards
// against needs a partition leader to die during a send (test/chaos/cluster.chaos.spec.ts meets it on a
// real three-node cluster); here a stand-in for kafkajs' producer plays it: it routes with the
// producer's own partitioner, later (another tick, as kafkajs' retries are), and answers for some
// partitions only.
import { Partitioners, type Kafka, type PartitionerArgs, type ProducerConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createProducer, UnacknowledgedSendError } from '../../src/platform/kafka.js';

const metadata = Array.from({ length: 6 }, (_, partitionId) => ({
  partitionId,
  leader: 1,
  replicas: [1],
  isr: [1],
  partitionErrorCode: 0,
}));

function kafkaAnswering(answered: (partition: number) => boolean): Kafka {
  return {
    producer: (config: ProducerConfig) => {
      const partitioner = config.createPartitioner!();
      const sendBatch = async ({
        topicMessages,
      }: {
        topicMessages: Array<{ topic: string; messages: Array<{ key: string }> }>;
      }) => {
        await new Promise((r) => setTimeout(r, 5));
        const chosen = topicMessages.flatMap(({ topic, messages }) =>
          messages.map((message) => ({
            topicName: topic,
            partition: partitioner({ topic, partitionMetadata: metadata, message } as unknown as PartitionerArgs),
          })),
        );
        const unique = [...new Map(chosen.map((c) => [`${c.topicName}[${c.partition}]`, c])).values()];
        return unique.filter((c) => answered(c.partition)).map((c) => ({ ...c, errorCode: 0 }));
      };
      return {
        sendBatch,
        send: ({ topic, messages, acks }: { topic: string; messages: Array<{ key: string }>; acks?: number }) =>
          sendBatch({ topicMessages: [{ topic, messages }], acks } as never),
      };
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
    const sent = producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'a', messages },
        { topic: 'b', messages: messages.slice(0, 3) },
      ],
    });
    await expect(sent).rejects.toBeInstanceOf(UnacknowledgedSendError);
    await expect(sent).rejects.toMatchObject({
      retriable: true,
      partitions: expect.arrayContaining(['a[2]', 'a[4]']) as unknown,
    });
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

  it('routes every key where kafkajs puts it (the Java client murmur2), the same key again and with another partition count', () => {
    let partitioner: ReturnType<NonNullable<ProducerConfig['createPartitioner']>> | undefined;
    createProducer({
      producer: (config: ProducerConfig) => ((partitioner = config.createPartitioner!()), {}),
    } as unknown as Kafka);
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from(
      { length: 300 },
      (_, i) => `0190e6a4-${i.toString(16).padStart(4, '0')}-7000-8000-00000000000${i % 10}`,
    );
    const spread = new Set<number>();
    for (const count of [6, 6, 12, 3, 6]) {
      const partitionMetadata =
        metadata.length === count
          ? metadata
          : Array.from({ length: count }, (_, partitionId) => ({ ...metadata[0]!, partitionId }));
      for (const key of [...keys, ...keys]) {
        const args = { topic: 'a', partitionMetadata, message: { key, value: null } } as unknown as PartitionerArgs;
        const expected = reference(args);
        expect(partitioner!(args)).toBe(expected);
        if (count === 12) spread.add(expected);
      }
    }
    expect(spread.size).toBe(12);
    // A message that names its partition keeps it, whatever its key was routed to before.
    const named = {
      topic: 'a',
      partitionMetadata: metadata,
      message: { key: keys[0], partition: 4, value: null },
    } as unknown as PartitionerArgs;
    expect(partitioner!(named)).toBe(4);
  });
});

/** Where kafkajs' default partitioner puts a key among the 6 partitions (the Java client's murmur2). */
function createProducerPartition(key: string): number {
  let chosen = -1;
  const kafka = {
    producer: (config: ProducerConfig) => {
      chosen = config.createPartitioner!()({
        topic: 't',
        partitionMetadata: metadata,
        message: { key, value: null },
      } as unknown as PartitionerArgs);
      return {};
    },
  } as unknown as Kafka;
  createProducer(kafka);
  return chosen;
}
