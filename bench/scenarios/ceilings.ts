// Scenario E, the ceilings of this machine, so that every other result can be read as a fraction:
//   - PostgreSQL: commits per second of a small insert transaction (BEGIN; INSERT one outbox-sized
//     row; COMMIT) from 4 concurrent clients, synchronous_commit as configured;
//   - Kafka: messages per second of the bare kafkajs producer, configured like the relay's
//     (idempotent, acks=-1, one request in flight, batches of 500 = OUTBOX_BATCH_SIZE), with the same
//     payload (an encoded LeadCreated) and headers as the relay sends; one producer, then two.
import pg from 'pg';
import type { Message } from 'kafkajs';
import { createCodec } from '../../src/events/codec.js';
import { buildHeaders } from '../../src/events/envelope.js';
import { createTopicsOnce, waitForTopicLeaders } from '../../src/events/topics.js';
import { createProducer } from '../../src/platform/kafka.js';
import { generateAds } from '../data/generate.js';
import { leadCreatedEvents } from '../data/events.js';
import { PARTITIONS } from '../lib/benchEnv.js';
import { trackMemory } from '../lib/memory.js';
import { emptyReport } from '../lib/report.js';
import { Samples, summarize } from '../lib/stats.js';
import type { Scenario } from './context.js';

export const ceilings: Scenario = {
  id: 'E',
  title: 'Ceilings: PostgreSQL commits/s and bare Kafka produce throughput',
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 5;
    const clientsCount = 4;
    const { rows, checks } = emptyReport();
    const memory = trackMemory();

    const codec = createCodec();
    const ads = generateAds(ctx.seed, 200, { now: ctx.now, windowDays: 1, externalIdBase: 3_900_000_000 });
    const events = leadCreatedEvents(ctx.seed, ads, 1000);
    const payloads = events.map((e) => codec.encode(e.eventType, e.value as never));
    const payloadBytes = Math.round(payloads.reduce((n, p) => n + p.length, 0) / payloads.length);
    ctx.ceilings.payloadBytes = payloadBytes;

    // PostgreSQL.
    const database = await ctx.env.database('e');
    await database.db.raw(
      'CREATE TABLE bench_commits (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT clock_timestamp(), headers jsonb NOT NULL, payload bytea NOT NULL)',
    );
    const clients = await Promise.all(
      Array.from({ length: clientsCount }, async () => {
        const c = new pg.Client({ connectionString: database.url, application_name: 'bench:e' });
        await c.connect();
        return c;
      }),
    );
    const headers = JSON.stringify(buildHeaders(events[0]!, ctx.now));
    const pgSamples = new Samples();
    let commits = 0;
    const pgStarted = performance.now();
    await Promise.all(
      clients.map(async (c, k) => {
        let i = k;
        while (performance.now() - pgStarted < seconds * 1000) {
          const t = performance.now();
          await c.query('BEGIN');
          await c.query('INSERT INTO bench_commits (headers, payload) VALUES ($1, $2)', [
            headers,
            payloads[i++ % payloads.length],
          ]);
          await c.query('COMMIT');
          pgSamples.push(performance.now() - t);
          commits++;
        }
      }),
    );
    const pgRate = commits / ((performance.now() - pgStarted) / 1000);
    // The floor of one database hop: a lone client's commit.
    const lone = new Samples();
    const loneStarted = performance.now();
    for (let i = 0; performance.now() - loneStarted < Math.min(2000, seconds * 400); i++) {
      const t = performance.now();
      await clients[0]!.query('BEGIN');
      await clients[0]!.query('INSERT INTO bench_commits (headers, payload) VALUES ($1, $2)', [
        headers,
        payloads[i % payloads.length],
      ]);
      await clients[0]!.query('COMMIT');
      lone.push(performance.now() - t);
    }
    await Promise.all(clients.map((c) => c.end()));
    ctx.ceilings.postgresCommitsPerS = pgRate;
    rows.push({
      case: `PostgreSQL commits, 1-row insert tx, ${clientsCount} clients`,
      throughput: { value: pgRate, unit: 'commits/s' },
      latencyMs: summarize(pgSamples.values()),
      details: { payloadBytes },
    });
    const loneLatency = summarize(lone.values());
    ctx.ceilings.commitMs = loneLatency.p50;
    rows.push({
      case: 'PostgreSQL commit, 1-row insert tx, 1 client',
      throughput: { value: lone.length / (Math.min(2000, seconds * 400) / 1000), unit: 'commits/s' },
      latencyMs: loneLatency,
      comparison: 'the floor of a database hop',
    });

    // Kafka.
    const topics = ctx.env.topics('e');
    const topic = `${topics.prefix}ceiling`;
    const admin = ctx.env.kafka.admin();
    await admin.connect();
    try {
      await createTopicsOnce(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
      await waitForTopicLeaders(admin, [topic]);
    } finally {
      await admin.disconnect();
    }
    const messages: Message[] = events.map((e, i) => ({
      key: e.key,
      value: payloads[i]!,
      headers: { ...buildHeaders(e, ctx.now) },
    }));
    const produce = async (producers: number) => {
      const list = Array.from({ length: producers }, () => createProducer(ctx.env.kafka));
      await Promise.all(list.map((p) => p.connect()));
      const samples = new Samples();
      let sent = 0;
      const started = performance.now();
      await Promise.all(
        list.map(async (p, k) => {
          let i = k * 500;
          while (performance.now() - started < seconds * 1000) {
            const batch: Message[] = [];
            for (let j = 0; j < 500; j++) batch.push(messages[i++ % messages.length]!);
            const t = performance.now();
            await p.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
            samples.push(performance.now() - t);
            sent += batch.length;
          }
        }),
      );
      const rate = sent / ((performance.now() - started) / 1000);
      await Promise.all(list.map((p) => p.disconnect()));
      return { rate, latency: summarize(samples.values()), sent };
    };
    const one = await produce(1);
    const two = await produce(2);
    // The floor of one Kafka hop: one message, acknowledged by the broker.
    const single = createProducer(ctx.env.kafka);
    await single.connect();
    const singleSamples = new Samples();
    const singleStarted = performance.now();
    for (let i = 0; performance.now() - singleStarted < Math.min(2000, seconds * 400); i++) {
      const t = performance.now();
      await single.send({ topic, acks: -1, messages: [messages[i % messages.length]!] });
      singleSamples.push(performance.now() - t);
    }
    await single.disconnect();
    const singleLatency = summarize(singleSamples.values());
    ctx.ceilings.produceMs = singleLatency.p50;
    ctx.ceilings.kafkaMessagesPerS = one.rate;
    rows.push({
      case: `Kafka produce, idempotent acks=-1, 500/batch, 1 producer`,
      throughput: { value: one.rate, unit: 'msg/s' },
      latencyMs: one.latency,
      comparison: 'latency per 500-message batch',
      details: { payloadBytes, sent: one.sent },
    });
    rows.push({
      case: `Kafka produce, same, 2 producers`,
      throughput: { value: two.rate, unit: 'msg/s' },
      latencyMs: two.latency,
      comparison: 'latency per 500-message batch',
      details: { payloadBytes, sent: two.sent },
    });
    rows.push({
      case: 'Kafka produce, 1 message, acks=-1',
      throughput: { value: singleSamples.length / (Math.min(2000, seconds * 400) / 1000), unit: 'msg/s' },
      latencyMs: singleLatency,
      comparison: 'the floor of a Kafka hop',
    });
    const peak = memory.stop();
    for (const r of rows) r.peakRssMb = peak.peakRssMb;
    checks.push({
      name: 'E ran',
      ok: commits > 0 && one.sent > 0 && two.sent > 0,
      detail: `${commits} commits, ${one.sent + two.sent} messages produced`,
    });
    return {
      sizes: { seconds, postgresClients: clientsCount, payloadBytes },
      rows,
      checks,
      targets: [],
      notes: [
        `Payload: an Avro-encoded LeadCreated with its ad snapshot, ${payloadBytes} bytes on average, plus the six event headers.`,
      ],
    };
  },
};
