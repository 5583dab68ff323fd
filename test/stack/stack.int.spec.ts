import { describe, expect, it } from 'vitest';
import { waitForTopicLeaders } from '../../src/events/topics.js';
import { useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();

describe('the local stack', () => {
  it('serves a broker that kafkajs can create a topic on, produce to idempotently and consume from in a group', async () => {
    const topic = `${t.topics.prefix}stack-check`;
    const admin = t.kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: false })).toBe(true);
    await waitForTopicLeaders(admin, [topic]);
    await admin.disconnect();

    const producer = t.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` }));
    const acks = await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
    expect(acks.every((a) => a.errorCode === 0)).toBe(true);

    const read = await t.readTopic(topic, (events) => events.length >= 30);
    expect(read.map((e) => e.raw.value!.toString()).sort()).toEqual(messages.map((m) => m.value).sort());
    // Same key, same partition, in the order produced.
    const k0 = read.filter((e) => e.key === 'k0').map((e) => Number(e.raw.value!.toString().slice(1)));
    expect(k0).toEqual([...k0].sort((a, b) => a - b));
    expect(new Set(read.filter((e) => e.key === 'k0').map((e) => e.partition)).size).toBe(1);
  });

  it('gives each test file a database of its own, already migrated', async () => {
    const { rows } = await t.db.raw<{ rows: Array<{ current_database: string }> }>('SELECT current_database()');
    expect(rows[0]!.current_database).toBe(t.name);
    expect(await t.db.schema.hasTable('outbox')).toBe(true);
  });
});
