// Scenario F, ingestion: ads POSTed to /v1/ads in batches of 500 (a Lobstr page is 100; an API client
// sends more), two requests in flight, to a service with the api and relay roles: ads/s accepted (each
// request upserts its ads and enqueues their AdScraped in one transaction), request latency, and the
// time until every AdScraped was on Kafka.
import { adInputOf, generateAds } from '../data/generate.js';
import { TOKENS } from '../lib/benchEnv.js';
import { trackMemory } from '../lib/memory.js';
import type { Check, Row } from '../lib/report.js';
import { Samples, summarize, until } from '../lib/stats.js';
import type { Scenario } from './context.js';

const PER_REQUEST = 500;
const IN_FLIGHT = 2;

export const ingestion: Scenario = {
  id: 'F',
  title: 'Ingestion: POST /v1/ads in batches of 500',
  async run(ctx) {
    const total = ctx.quick ? 2_000 : 50_000;
    const database = await ctx.env.database('f', { poolMax: 4 });
    const topics = ctx.env.topics('f');
    const memory = trackMemory();
    const service = await ctx.env.startService(database.url, topics, { ROLES: 'api,relay', OUTBOX_POLL_MS: '1000' });
    const ads = generateAds(ctx.seed + 6, total, { now: ctx.now, windowDays: 1, externalIdBase: 6_000_000_000 }).map(
      adInputOf,
    );
    const bodies: string[] = [];
    for (let i = 0; i < ads.length; i += PER_REQUEST)
      bodies.push(JSON.stringify({ ads: ads.slice(i, i + PER_REQUEST) }));

    const latency = new Samples();
    let inserted = 0;
    let failed = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const t = performance.now();
          const res = await fetch(`${service.url}/v1/ads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKENS.INGEST_TOKEN}`, 'content-type': 'application/json' },
            body,
          });
          latency.push(performance.now() - t);
          if (res.status === 202) inserted += ((await res.json()) as { inserted: number }).inserted;
          else failed++;
        }
      }),
    );
    const ingestS = (performance.now() - started) / 1000;
    const outboxRows = async () =>
      Number((await database.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count);
    await until(async () => (await outboxRows()) === 0, 'the outbox to drain', 120_000);
    const publishedS = (performance.now() - started) / 1000;
    const events = await ctx.env.countMessages(topics.name('ads.scraped'));
    await ctx.env.stopService(service);
    const peak = memory.stop();

    const rows: Row[] = [
      {
        case: `POST /v1/ads, ${PER_REQUEST} ads/request, ${IN_FLIGHT} in flight`,
        throughput: { value: total / ingestS, unit: 'ads/s' },
        latencyMs: summarize(latency.values()),
        peakRssMb: peak.peakRssMb,
        comparison: `latency per request; every AdScraped on Kafka after ${publishedS.toFixed(1)} s (${Math.round(total / publishedS)} ads/s)`,
        details: { ads: total, requests: bodies.length, inserted, failedRequests: failed, events },
      },
    ];
    const checks: Check[] = [
      {
        name: 'every ad inserted',
        ok: inserted === total && failed === 0,
        detail: `${inserted} of ${total} inserted, ${failed} failed requests`,
      },
      { name: 'one AdScraped per ad', ok: events === total, detail: `${events} events for ${total} ads` },
    ];
    return {
      sizes: { ads: total, perRequest: PER_REQUEST, inFlight: IN_FLIGHT },
      rows,
      checks,
      targets: [],
      notes: [],
      peakRssMb: peak.peakRssMb,
    };
  },
};
