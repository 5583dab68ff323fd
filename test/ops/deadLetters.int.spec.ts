// The dead-letter module (src/ops/deadLetters.ts) against the real broker and the real consumer
// pipeline: a consumer whose handler can be "broken" (a bug, since fixed) dead-letters events, then
// the module lists them and replays them.
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoisonEventError } from '../../src/consumers/pipeline/failures.js';
import { startConsumer } from '../../src/consumers/pipeline/pipeline.js';
import { newEventId } from '../../src/events/envelope.js';
import type { HuntChanged } from '../../src/events/types.generated.js';
import { createDeadLetters, DeadLetterRequestError, type DeadLetters } from '../../src/ops/deadLetters.js';
import type { Metrics } from '../../src/platform/metrics.js';
import { sampleEvents } from '../../testkit/eventSamples.js';
import { pipelineDepsFor } from '../../testkit/pipelineFixtures.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv({ topics: true });
let producer: Producer;
let metrics: Metrics;
let deadLetters: DeadLetters;
let stopConsumer: () => Promise<void>;
let admin: Admin;
/** While true, the handler refuses versions >= 100 as poison (a bug that a later deploy fixes). */
let broken = true;
const huntId = '00000000-0000-7000-8000-0000000dead1';

beforeAll(async () => {
  await t.db.schema.createTable('test_effects', (table) => {
    table.uuid('event_id');
    table.integer('version');
  });
  const built = await pipelineDepsFor(t, 'dead-letters-test');
  ({ producer, metrics } = built);
  const { kafka, deps } = built;
  admin = kafka.admin();
  await admin.connect();
  const running = await startConsumer(deps, {
    name: 'dlq-test',
    topics: ['hunts.changed'],
    eventTypes: ['HuntChanged'],
    handle: async (trx, events) => {
      for (const e of events)
        if (broken && e.value.version >= 100)
          throw new PoisonEventError(`version ${e.value.version} is not handled yet`);
      await trx('test_effects').insert(events.map((e) => ({ event_id: e.eventId, version: e.value.version })));
    },
  });
  stopConsumer = () => running.stop();
  deadLetters = createDeadLetters({ kafka, admin, producer, topics: t.topics });
});
afterAll(async () => {
  await stopConsumer();
  await admin.disconnect();
  await producer.disconnect();
});

async function produce(value: Buffer, eventId = newEventId()) {
  await producer.send({
    topic: t.topics.name('hunts.changed'),
    acks: -1,
    messages: [
      {
        key: huntId,
        value,
        headers: { 'event-id': eventId, 'event-type': 'HuntChanged', 'content-type': 'avro/binary' },
      },
    ],
  });
  return eventId;
}
const encode = (version: number) =>
  t.codec.encode('HuntChanged', { ...sampleEvents.HuntChanged, huntId, version } satisfies HuntChanged);
const effects = async (eventId: string) => (await t.db('test_effects').where({ event_id: eventId })).length;
const caughtUp = () => t.waitForConsumerGroup('dlq-test', 'hunts.changed');
const countOf = async () => (await deadLetters.counts()).find((c) => c.topic === 'hunts.changed')!;

describe('the dead letters', () => {
  it('lists an undecodable event with its reason, source and offset, newest first', async () => {
    await produce(Buffer.from('not avro at all'));
    await caughtUp();
    const [latest] = await deadLetters.list({ topic: 'hunts.changed' });
    expect(latest).toMatchObject({
      topic: 'hunts.changed',
      offset: '0',
      sourcePartition: expect.any(Number) as number,
      replayedAt: null,
      failedAfterReplayAt: null,
      key: huntId,
    });
    expect(latest!.reason).toMatch(/^not-single-object-encoded: /);
    expect(await countOf()).toEqual({ topic: 'hunts.changed', total: 1, waiting: 1 });
  });

  it('dead-letters a still-poison event again on replay, with its new reason, and never loops', async () => {
    const result = await deadLetters.replay({ topic: 'hunts.changed', offset: '0' });
    expect(result.replayed).toHaveLength(1);
    expect(result.replayed[0]!.to.topic).toBe(t.topics.name('hunts.changed'));
    await waitFor(async () => (await countOf()).total === 2, { message: 'dead-lettered again' });
    await caughtUp();
    const [again, first] = await deadLetters.list({ topic: 'hunts.changed' });
    expect(first).toMatchObject({ offset: '0', replayedAt: expect.any(String) as string });
    expect(again).toMatchObject({ offset: '1', replayedAt: null, failedAfterReplayAt: first!.replayedAt });
    expect(again!.deadLetteredAt > first!.deadLetteredAt).toBe(true);
    // Nothing replays by itself: once the consumer caught up, there are two dead letters and one waits.
    expect(await t.countMessages('hunts.changed.dlq')).toBe(2);
    expect(await countOf()).toEqual({ topic: 'hunts.changed', total: 2, waiting: 1 });
  });

  it('refuses to replay a dead letter twice, or an offset that is not there', async () => {
    await expect(deadLetters.replay({ topic: 'hunts.changed', offset: '0' })).rejects.toThrow(/was replayed at/);
    await expect(deadLetters.replay({ topic: 'hunts.changed', offset: '99' })).rejects.toBeInstanceOf(
      DeadLetterRequestError,
    );
  });

  it('applies a replayed event once the handler is fixed, and the waiting count goes down', async () => {
    const eventId = await produce(encode(100));
    await waitFor(async () => (await countOf()).waiting === 2, { message: 'version 100 dead-lettered' });
    const [letter] = await deadLetters.list({ topic: 'hunts.changed', limit: 1 });
    expect(letter).toMatchObject({
      eventId,
      eventType: 'HuntChanged',
      reason: expect.stringMatching(/^handler-failed: PoisonEventError: version 100/) as string,
    });
    broken = false;

    const dry = await deadLetters.replay({ topic: 'hunts.changed', offset: letter!.offset, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, replayed: [{ offset: letter!.offset, eventId }] });
    await caughtUp();
    expect(await effects(eventId)).toBe(0);

    await deadLetters.replay({ topic: 'hunts.changed', offset: letter!.offset });
    await waitFor(async () => (await effects(eventId)) === 1, { message: 'the replayed event applied' });
    await caughtUp();
    expect(await countOf()).toEqual({ topic: 'hunts.changed', total: 3, waiting: 1 });
  });

  it('changes nothing when the replayed event was applied already (the inbox)', async () => {
    broken = true;
    const eventId = newEventId();
    await produce(encode(101), eventId);
    await waitFor(async () => (await countOf()).waiting === 2, { message: 'version 101 dead-lettered' });
    broken = false;
    // The same event delivered again (the outbox publishes at least once) is applied this time.
    await produce(encode(101), eventId);
    await waitFor(async () => (await effects(eventId)) === 1, { message: 'the second delivery applied' });
    const deduplicated = async () => (await metrics.deduplicated.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await deduplicated();

    const result = await deadLetters.replay({ topic: 'hunts.changed', all: true });
    // The undecodable one that failed again, and 101.
    expect(result.replayed.map((r) => r.offset)).toEqual(['1', '3']);
    expect(result.replayed[1]!.eventId).toBe(eventId);
    expect(result.skipped.map((s) => s.offset)).toEqual(['0', '2']);
    await waitFor(async () => (await deduplicated()) === before + 1, { message: 'the replay skipped by the inbox' });
    await caughtUp();
    expect(await effects(eventId)).toBe(1);
  });
});
