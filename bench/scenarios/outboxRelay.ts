// Scenario C, the outbox relay (src/outbox/relay.ts), with one and with two relay instances:
//   - saturation: N LeadCreated events written by the outbox writer (src/outbox/enqueue.ts) in one
//     transaction that stays open while the relays start and share the shards; then the commit, and
//     the time until the outbox table is empty (every row published, acknowledged and deleted);
//   - latency at a steady 1,000 events/s: small transactions (10 events every 10 ms), each event timed
//     from its commit to the moment a separate kafkajs consumer reads it.
// The relays are objects in this process, each with its own pool, Kafka client and producer, as two
// services with ROLES=relay would have; they share this process's event loop (and the machine's two
// cores with PostgreSQL and Kafka).
import type { Knex } from 'knex';
import { createCodec } from '../../src/events/codec.js';
import type { OutgoingEvent } from '../../src/events/envelope.js';
import { createDb } from '../../src/db/knex.js';
import { createKafka } from '../../src/platform/kafka.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createOutbox } from '../../src/outbox/enqueue.js';
import { createRelay, type Relay } from '../../src/outbox/relay.js';
import { generateAds } from '../data/generate.js';
import { leadCreatedEvents } from '../data/events.js';
import { trackMemory } from '../lib/memory.js';
import { emptyReport } from '../lib/report.js';
import { Samples, sleep, summarize, until } from '../lib/stats.js';
import { pct, type Scenario } from './context.js';

const SHARDS = 16;

/** The relays' own view (a histogram): from the outbox insert to the broker's acknowledgement. */
async function insertToAck(relays: Array<{ metrics: ReturnType<typeof createMetrics> }>) {
  let sum = 0;
  let count = 0;
  for (const r of relays) {
    for (const v of (await r.metrics.outboxPublishDelaySeconds.get()).values) {
      if (v.metricName?.endsWith('_sum')) sum += v.value;
      if (v.metricName?.endsWith('_count')) count += v.value;
    }
  }
  return { sum, count };
}
const BATCH = 500;

export const outboxRelay: Scenario = {
  id: 'C',
  title: 'Outbox relay: events/s at saturation, commit-to-consumer latency at 1,000 events/s',
  async run(ctx) {
    const total = ctx.quick ? 2000 : 50_000;
    const rate = ctx.quick ? 200 : 1000;
    const seconds = ctx.quick ? 2 : 10;
    const { rows, checks, targets } = emptyReport();
    const memory = trackMemory();

    const database = await ctx.env.database('c', { poolMax: 8 });
    const topics = ctx.env.topics('c');
    await ctx.env.ensureTopics(topics);
    const topic = topics.name('leads.created');
    const codec = createCodec();
    const outbox = createOutbox({ codec, topics, shards: SHARDS });
    const ads = generateAds(ctx.seed, 1000, { now: ctx.now, windowDays: 1, externalIdBase: 3_100_000_000 });
    const log = ctx.env.logger('bench:c');

    const startRelays = async (count: number) => {
      const relays: Array<{ relay: Relay; metrics: ReturnType<typeof createMetrics>; destroy: () => Promise<void> }> =
        [];
      for (let i = 0; i < count; i++) {
        const db = createDb(database.url, { poolMax: 4, applicationName: `bench:c:relay${i}` });
        const metrics = createMetrics({ defaultMetrics: false });
        const relay = createRelay({
          db,
          databaseUrl: database.url,
          kafka: createKafka({ brokers: ctx.env.stack.kafkaBrokers, clientId: `bench-relay-${i}`, log }),
          log,
          metrics,
          shards: SHARDS,
          batchSize: BATCH,
          pollMs: 5000,
        });
        await relay.start();
        relays.push({ relay, metrics, destroy: () => db.destroy() });
      }
      // Shard ownership settles within a rebalance period or two (about a second each).
      await until(
        async () => {
          const owned = await Promise.all(
            relays.map(async (r) => (await r.metrics.outboxShardsOwned.get()).values[0]?.value ?? 0),
          );
          return owned.every((n) => n === Math.ceil(SHARDS / count)) && owned.reduce((a, b) => a + b, 0) === SHARDS;
        },
        `${count} relays to share the shards`,
        15_000,
      );
      return {
        relays,
        stop: async () => {
          for (const r of relays) {
            await r.relay.stop();
            await r.destroy();
          }
        },
      };
    };

    const outboxCount = async () => Number((await database.db('outbox').count<Array<{ n: string }>>({ n: '*' }))[0]!.n);

    for (const relayCount of [1, 2]) {
      const label = relayCount === 1 ? '1 relay' : '2 relays';
      // Saturation.
      const events = leadCreatedEvents(ctx.seed + relayCount, ads, total);
      const trx: Knex.Transaction = await database.db.transaction();
      for (let i = 0; i < events.length; i += 5000) await outbox.enqueue(trx, events.slice(i, i + 5000));
      const before = await ctx.env.countMessages(topic);
      const running = await startRelays(relayCount);
      const started = performance.now();
      await trx.commit();
      await until(async () => (await outboxCount()) === 0, 'the outbox to empty', 10 * 60_000, 20);
      const drainSeconds = (performance.now() - started) / 1000;
      const published = (await ctx.env.countMessages(topic)) - before;
      const saturation = total / drainSeconds;
      checks.push({
        name: `C saturation published everything (${label})`,
        ok: published >= total,
        detail: `${published} messages for ${total} events`,
      });
      rows.push({
        case: `saturation, ${label}, ${total.toLocaleString('en-US')} events`,
        throughput: { value: saturation, unit: 'events/s' },
        comparison: pct(saturation, ctx.ceilings.kafkaMessagesPerS),
        details: { events: total, seconds: drainSeconds, published, relays: relayCount },
      });
      if (!ctx.quick)
        targets.push({
          name: `relay throughput at saturation, ${label}`,
          goal: '>= 10,000 events/s',
          measured: `${Math.round(saturation).toLocaleString('en-US')} events/s`,
          met: saturation >= 10_000,
        });

      // Latency at a steady rate.
      const committedAt = new Map<string, number>();
      const receivedEarly = new Map<string, number>();
      const samples = new Samples();
      const consumer = ctx.env.kafka.consumer({
        groupId: `${topics.prefix}latency-${relayCount}`,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
      });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const at = performance.now();
          for (const m of batch.messages) {
            const id = m.headers?.['event-id']?.toString();
            if (!id) continue;
            const c = committedAt.get(id);
            if (c !== undefined) {
              samples.push(at - c);
              committedAt.delete(id);
            } else receivedEarly.set(id, at);
          }
        },
      });
      await until(() => joined, 'the latency consumer to join', 30_000);
      await sleep(1000);
      receivedEarly.clear();
      const ackBefore = await insertToAck(running.relays);
      const perTx = Math.max(1, Math.round(rate / 100));
      const paced = leadCreatedEvents(ctx.seed + 10 + relayCount, ads, rate * seconds);
      const inFlight = new Set<Promise<void>>();
      const t0 = performance.now();
      let sent = 0;
      for (let tick = 0; sent < paced.length; tick++) {
        const due = t0 + tick * 10;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const batch: OutgoingEvent[] = paced.slice(sent, sent + perTx);
        sent += batch.length;
        const p = database.db
          .transaction((t) => outbox.enqueue(t, batch))
          .then((ids) => {
            const at = performance.now();
            for (const id of ids) {
              const early = receivedEarly.get(id);
              if (early !== undefined) {
                samples.push(Math.max(0, early - at));
                receivedEarly.delete(id);
              } else committedAt.set(id, at);
            }
          });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      await Promise.all(inFlight);
      const achievedRate = paced.length / ((performance.now() - t0) / 1000);
      await until(
        () => samples.length >= paced.length,
        `the consumer to read ${paced.length} events (${samples.length} read)`,
        60_000,
      ).catch(() => undefined);
      await consumer.disconnect();
      const ackAfter = await insertToAck(running.relays);
      const ackSum = ackAfter.sum - ackBefore.sum;
      const ackCount = ackAfter.count - ackBefore.count;
      await running.stop();
      const latency = summarize(samples.values());
      checks.push({
        name: `C latency run read every event (${label})`,
        ok: samples.length === paced.length,
        detail: `${samples.length}/${paced.length} events read back`,
      });
      rows.push({
        case: `commit -> consumer at ${rate}/s, ${label}`,
        throughput: { value: achievedRate, unit: 'events/s' },
        latencyMs: latency,
        comparison:
          ackCount > 0 ? `relay's own insert -> broker ack: mean ${((1000 * ackSum) / ackCount).toFixed(1)} ms` : '',
        details: {
          events: paced.length,
          eventsPerTransaction: perTx,
          relayInsertToAckMeanMs: ackCount > 0 ? (1000 * ackSum) / ackCount : null,
        },
      });
      if (!ctx.quick)
        targets.push({
          name: `p99 commit -> consumer at 1,000 events/s, ${label}`,
          goal: '< 50 ms',
          measured: `${latency.p99.toFixed(1)} ms`,
          met: latency.p99 < 50,
        });
    }
    const peak = memory.stop();
    for (const r of rows) r.peakRssMb = peak.peakRssMb;
    return {
      sizes: { saturationEvents: total, rate, seconds, shards: SHARDS, batchSize: BATCH },
      rows,
      checks,
      targets,
      notes: [
        "Relays run in this process (own pools, Kafka clients and producers), sharing its event loop; the latency includes the consumer's fetch.",
      ],
    };
  },
};
