import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HuntChanged } from '../../src/events/types.generated.js';
import { createKafka } from '../../src/platform/kafka.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createOutbox, type Outbox } from '../../src/outbox/enqueue.js';
import { createRelay, type Relay } from '../../src/outbox/relay.js';
import { SELECT_BATCH_SQL } from '../../src/sql/outbox/selectOutboxBatch.js';
import { sampleEvents } from '../../testkit/eventSamples.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
let outbox: Outbox;
const relays: Relay[] = [];
const log = createLogger({ level: 'error', pretty: 'false' });

beforeAll(async () => {
  await t.ensureTopics();
  outbox = createOutbox({ codec: t.codec, topics: t.topics, shards: 16 });
});
afterAll(async () => {
  for (const r of relays) await r.stop();
});

async function startRelay(options: { batchSize?: number } = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  const relay = createRelay({
    db: t.db,
    databaseUrl: t.databaseUrl,
    kafka: createKafka({ brokers: t.kafkaBrokers, clientId: 'relay-test', log }),
    log,
    metrics,
    shards: 16,
    batchSize: options.batchSize ?? 100,
    pollMs: 1000,
    rebalanceMs: 200,
  });
  await relay.start();
  relays.push(relay);
  return {
    relay,
    published: async () => (await metrics.outboxPublished.get()).values.reduce((n, v) => n + v.value, 0),
  };
}

const huntChanged = (
  huntId: string,
  version: number,
): { eventType: 'HuntChanged'; key: string; value: HuntChanged } => ({
  eventType: 'HuntChanged',
  key: huntId,
  value: { ...sampleEvents.HuntChanged, huntId, version },
});

const huntId = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const outboxRows = async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count);

describe('the outbox', () => {
  it('publishes every committed event exactly as often as committed, late commits included, and never a rolled-back one', async () => {
    const { relay } = await startRelay();
    // Four transactions open at once, so their ids are handed out 1, 2, 3, 4...
    const trxs = await Promise.all([1, 2, 3, 4].map(() => t.db.transaction()));
    for (const [i, trx] of trxs.entries()) await outbox.enqueue(trx, huntChanged(huntId(100 + i), 1));
    // ...and they finish out of order: 3, then 1 (both published), then 4 rolls back, then 2 commits last.
    await trxs[2]!.commit();
    await trxs[0]!.commit();
    await waitFor(async () => (await outboxRows()) === 0, { message: 'first two published' });
    await trxs[3]!.rollback();
    await trxs[1]!.commit(); // a lower id than rows already published: must not be skipped
    await relay.idle();
    await waitFor(async () => (await outboxRows()) === 0);

    const read = await t.readTopic('hunts.changed', (events) => events.length >= 3);
    const keys = read.map((e) => e.key).sort();
    expect(keys).toEqual([huntId(100), huntId(101), huntId(102)]);
    // Nothing more arrives: the rolled-back event never, and nothing twice.
    expect(await t.countMessages('hunts.changed')).toBe(3);
    expect(
      read.every((e) => e.headers['event-type'] === 'HuntChanged' && e.headers['content-type'] === 'avro/binary'),
    ).toBe(true);
    await relay.stop();
    relays.splice(relays.indexOf(relay), 1);
  });

  it('keeps per-key commit order over thousands of events with two relays running at once', async () => {
    const a = await startRelay({ batchSize: 50 });
    const b = await startRelay({ batchSize: 50 });
    const keys = Array.from({ length: 12 }, (_, i) => huntId(200 + i));
    const perKey = 250;
    // Four writers, each owning three keys, commit small transactions concurrently.
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const mine = keys.filter((_, i) => i % 4 === w);
        for (let version = 1; version <= perKey; version += 5) {
          await t.db.transaction((trx) =>
            outbox.enqueue(
              trx,
              mine.flatMap((k) => [0, 1, 2, 3, 4].map((d) => huntChanged(k, version + d))),
            ),
          );
        }
      }),
    );
    await waitFor(async () => (await outboxRows()) === 0, { timeoutMs: 60_000, message: 'outbox drained' });
    const total = keys.length * perKey;
    const read = await t.readTopic(
      'hunts.changed',
      (events) => events.filter((e) => keys.includes(e.key!)).length >= total,
      60_000,
    );
    const mine = read.filter((e) => keys.includes(e.key!));
    expect(new Set(mine.map((e) => e.headers['event-id'])).size).toBe(total);
    for (const key of keys) {
      // Kafka keeps order per partition; read in offset order, each key's versions must be 1..250.
      const versions = mine
        .filter((e) => e.key === key)
        .sort((x, y) => Number(x.offset) - Number(y.offset))
        .map((e) => (e.event?.value as HuntChanged).version);
      expect(versions).toEqual(Array.from({ length: perKey }, (_, i) => i + 1));
    }
    // Both relays took part.
    expect(await a.published()).toBeGreaterThan(0);
    expect(await b.published()).toBeGreaterThan(0);
  });

  it('keeps the table small and reads it by index scan even with a large backlog', async () => {
    await t.db.transaction(async (trx) => {
      await outbox.enqueue(
        trx,
        Array.from({ length: 20_000 }, (_, i) => huntChanged(huntId(10_000 + (i % 500)), i)),
      );
    });
    await t.db.raw('ANALYZE outbox');
    const plan = (
      await t.db.raw<{ rows: Array<Record<string, string>> }>(`EXPLAIN ${SELECT_BATCH_SQL}`, [
        [0, 1, 2, 3, 4, 5, 6, 7],
        500,
      ])
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('Index Scan using outbox_pkey');
    await waitFor(async () => (await outboxRows()) === 0, { timeoutMs: 60_000, message: 'backlog published' });
  });
});
