import type { ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createDeadLetter } from '../../../src/consumers/pipeline/deadLetter.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { consumedHuntChanged, silentLog } from '../../../testkit/pipelineFixtures.js';

describe('createDeadLetter', () => {
  it('publishes the original key, value and headers to <topic>.dlq with the reason, source and time, and counts it', async () => {
    const sent: ProducerRecord[] = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const deadLetter = createDeadLetter({
      producer: { send: async (record) => (sent.push(record), []) },
      topicPrefix: 'p.',
      metrics,
      log: silentLog,
      consumer: 'matcher',
      groupId: 'p.matcher',
      now: () => new Date('2026-12-01T10:00:00Z'),
    });
    const event = consumedHuntChanged(4);
    await deadLetter({ ...event, partition: 2 }, 'handler-failed', new TypeError('boom'));

    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('p.hunts.changed.dlq');
    expect(sent[0]!.acks).toBe(-1);
    const m = sent[0]!.messages[0]!;
    expect(m.key).toEqual(event.raw.key);
    expect(m.value).toEqual(event.raw.value);
    expect(m.headers).toMatchObject({
      'event-id': event.eventId,
      'dlq-reason': 'handler-failed: TypeError: boom',
      'dlq-source-topic': 'p.hunts.changed',
      'dlq-source-partition': '2',
      'dlq-source-offset': event.raw.offset,
      'dlq-consumer': 'p.matcher',
      'dlq-at': '2026-12-01T10:00:00.000Z',
    });
    const counted = (await metrics.deadLettered.get()).values.find((v) => v.labels.reason === 'handler-failed');
    expect(counted).toMatchObject({ value: 1, labels: { consumer: 'matcher', topic: 'hunts.changed' } });
  });
});
