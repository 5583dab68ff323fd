import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoisonEventError, TransientError } from '../../../src/consumers/pipeline/failures.js';
import {
  startConsumer,
  type ConsumedEvent,
  type PipelineDeps,
  type RunningConsumer,
} from '../../../src/consumers/pipeline/pipeline.js';
import { newEventId } from '../../../src/events/envelope.js';
import type { HuntChanged } from '../../../src/events/types.generated.js';
import type { Metrics } from '../../../src/platform/metrics.js';
import { sampleEvents } from '../../../testkit/eventSamples.js';
import { pipelineDepsFor } from '../../../testkit/pipelineFixtures.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv();
let producer: Producer;
let metrics: Metrics;
let deps: PipelineDeps;
const consumers: RunningConsumer[] = [];
const fatal: Error[] = [];

beforeAll(async () => {
  await t.ensureTopics();
  await t.db.schema.createTable('test_effects', (table) => {
    table.text('consumer');
    table.uuid('event_id');
    table.integer('version');
  });
  ({ producer, metrics, deps } = await pipelineDepsFor(t, 'pipeline-test', (e) => fatal.push(e)));
});
afterAll(async () => {
  for (const c of consumers) await c.stop();
  await producer.disconnect();
});

const topic = () => t.topics.name('hunts.changed');
const huntId = '00000000-0000-7000-8000-00000000abcd';

async function produce(messages: Array<{ value: Buffer; eventId?: string; key?: string }>) {
  await producer.send({
    topic: topic(),
    acks: -1,
    messages: messages.map((m) => ({
      key: m.key ?? huntId,
      value: m.value,
      headers: { 'event-id': m.eventId ?? newEventId(), 'event-type': 'HuntChanged', 'content-type': 'avro/binary' },
    })),
  });
}

const encode = (version: number) =>
  t.codec.encode('HuntChanged', { ...sampleEvents.HuntChanged, huntId, version } satisfies HuntChanged);

async function consume(name: string, handle: (events: Array<ConsumedEvent<'HuntChanged'>>) => void | Promise<void>) {
  const running = await startConsumer(deps, {
    name,
    topics: ['hunts.changed'],
    eventTypes: ['HuntChanged'],
    handle: async (trx, events) => {
      await handle(events);
      await trx('test_effects').insert(
        events.map((e) => ({ consumer: name, event_id: e.eventId, version: e.value.version })),
      );
    },
  });
  consumers.push(running);
  return running;
}

const effects = (consumer: string) =>
  t
    .db('test_effects')
    .where({ consumer })
    .orderBy('version')
    .select<Array<{ event_id: string; version: number }>>('event_id', 'version');
const counter = async (
  m: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  consumer: string,
) => (await m.get()).values.filter((v) => v.labels.consumer === consumer).reduce((n, v) => n + v.value, 0);

describe('the consumer pipeline', () => {
  it('applies an event received twice only once', async () => {
    const eventId = newEventId();
    await produce([{ value: encode(1), eventId }, { value: encode(1), eventId }, { value: encode(2) }]);
    await consume('dedupe', () => undefined);
    await waitFor(
      async () => (await counter(metrics.consumed, 'dedupe')) + (await counter(metrics.deduplicated, 'dedupe')) >= 3,
      { message: 'three deliveries handled' },
    );
    const rows = await effects('dedupe');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(rows[0]!.event_id).toBe(eventId);
    expect(await counter(metrics.deduplicated, 'dedupe')).toBe(1);
    expect(
      await t
        .db('inbox')
        .where({ consumer: `${t.topics.prefix}dedupe`, event_id: eventId })
        .first(),
    ).toBeDefined();
  });

  it('sends a poison event to the dead-letter topic with its reason while the next event is processed', async () => {
    const before = await t.countMessages('hunts.changed');
    await produce([{ value: Buffer.from('definitely not avro') }, { value: encode(3) }]);
    await consume('poison', () => undefined);
    await waitFor(async () => (await effects('poison')).some((r) => r.version === 3), {
      message: 'the next event applied',
    });
    const dlq = await t.readTopic('hunts.changed.dlq', (events) =>
      events.some((e) => e.headers['dlq-consumer']?.endsWith('poison')),
    );
    const dead = dlq.find((e) => e.headers['dlq-consumer']?.endsWith('poison'))!;
    expect(dead.raw.value!.toString()).toBe('definitely not avro');
    expect(dead.headers['dlq-reason']).toMatch(/^not-single-object-encoded: /);
    expect(dead.headers['dlq-source-topic']).toBe(topic());
    expect(dead.headers['dlq-source-offset']).toBe(String(before));
    expect(dead.key).toBe(huntId);
  });

  it('dead-letters an event its handler refuses, and applies the others of the same batch', async () => {
    const bad = newEventId();
    await produce([{ value: encode(10) }, { value: encode(11), eventId: bad }, { value: encode(12) }]);
    await consume('refuse', (events) => {
      if (events.some((e) => e.eventId === bad)) throw new PoisonEventError('version 11 is cursed');
    });
    await waitFor(async () => (await effects('refuse')).filter((r) => r.version >= 10).length >= 2, {
      message: 'good events applied',
    });
    expect((await effects('refuse')).map((r) => r.version).filter((v) => v >= 10)).toEqual([10, 12]);
    const dlq = await t.readTopic('hunts.changed.dlq', (events) => events.some((e) => e.headers['event-id'] === bad));
    expect(dlq.find((e) => e.headers['event-id'] === bad)!.headers['dlq-reason']).toContain('version 11 is cursed');
  });

  it('retries a retriable failure without losing order, then applies the event once', async () => {
    let failures = 0;
    const keyed = '00000000-0000-7000-8000-0000000000ff';
    await produce(
      [20, 21, 22].map((v) => ({
        value: t.codec.encode('HuntChanged', { ...sampleEvents.HuntChanged, huntId: keyed, version: v }),
        key: keyed,
      })),
    );
    await consume('flaky', (events) => {
      if (events.some((e) => e.value.version === 21) && failures < 2) {
        failures++;
        throw new TransientError('database briefly unavailable');
      }
    });
    await waitFor(async () => (await effects('flaky')).filter((r) => r.version >= 20).length === 3, {
      message: 'all three applied',
    });
    expect(failures).toBe(2);
    expect(await counter(metrics.retries, 'flaky')).toBe(2);
    expect((await effects('flaky')).map((r) => r.version).filter((v) => v >= 20)).toEqual([20, 21, 22]);
    expect(fatal).toEqual([]);
  });
});
