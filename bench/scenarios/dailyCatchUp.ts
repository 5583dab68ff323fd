// Scenario B, the daily catch-up: 10,000 hunts against 200,000 ads of the last 30 days, from nothing
// (no lead, no hunt ever scanned) to all leads created,
//   - by the real service: a matcher role started in-process, the day's DailyTick recorded with
//     recordTick (what POST /v1/ticks and the scheduler do) and delivered by a relay, and the matcher's
//     daily catch-up (src/consumers/matcher/dailyCatchUp.ts) timed until it marks the tick completed;
//   - by the original approach, one SQL query per hunt with 5 in flight (bench/baselines/sqlPerHunt.ts),
// each on its own clone of the same database, and both must create the same leads: the same set of
// (account_id, ad_id, hunt_id). The relay is stopped once the tick is delivered, so that neither side
// pays for publishing its LeadCreated events (scenario C measures the relay).
import { createRelay } from '../../src/outbox/relay.js';
import { createOutbox } from '../../src/outbox/enqueue.js';
import { createCodec } from '../../src/events/codec.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { recordTick } from '../../src/producers/ticks/recordTick.js';
import { localTime } from '../../src/domain/calendar.js';
import type { Db } from '../../src/db/knex.js';
import { catchUpPerHunt, prepareBaselineDatabase } from '../baselines/sqlPerHunt.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { insertAccounts, insertAds, insertHunts } from '../data/load.js';
import { dropBenchDatabase } from '../lib/benchEnv.js';
import { trackMemory } from '../lib/memory.js';
import { emptyReport } from '../lib/report.js';
import { until } from '../lib/stats.js';
import { times, type Scenario } from './context.js';

const TIME_ZONE = 'Europe/Paris';

async function leadSet(db: Db): Promise<Set<string>> {
  const rows = (await db('leads').select('account_id', 'ad_id', 'hunt_id')) as Array<{
    account_id: string;
    ad_id: string;
    hunt_id: string;
  }>;
  return new Set(rows.map((r) => `${r.account_id}/${r.ad_id}/${r.hunt_id}`));
}

export const dailyCatchUp: Scenario = {
  id: 'B',
  title: 'Daily catch-up: service tick path vs one SQL query per hunt',
  async run(ctx) {
    // The issue asks for 200,000 ads; with realistic hunts that is about 750,000 leads, which takes
    // this 2-core machine far longer than the 15 minutes a full run may take (see docs/BENCHMARKS.md):
    // 20,000 ads (a tenth) by default; BENCH_B_ADS=200000 for the size.
    const huntCount = ctx.quick ? 300 : Number(process.env.BENCH_B_HUNTS ?? 10_000);
    const adCount = ctx.quick ? 3000 : Number(process.env.BENCH_B_ADS ?? 20_000);
    const { rows, checks, targets, notes } = emptyReport();

    ctx.log(`B: generating ${huntCount} hunts and ${adCount} ads`);
    const { hunts, accountIds } = generateHunts(ctx.seed + 1, huntCount, { now: ctx.now });
    // Spread over 29 days, so that no ad sits on the edge of the 30-day window between the two runs.
    const ads = generateAds(ctx.seed + 1, adCount, { now: ctx.now, windowDays: 29, externalIdBase: 2_800_000_000 });
    const base = await ctx.env.database('b_base', { poolMax: 4 });
    const loadStarted = Date.now();
    await insertAccounts(base.db, accountIds);
    await insertHunts(base.db, hunts);
    await insertAds(base.db, ads);
    await base.db.raw('VACUUM ANALYZE');
    ctx.log(`B: loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)}s; cloning`);
    await base.db.destroy();
    const service = await ctx.env.database('b_service', { from: base.name });
    const baseline = await ctx.env.database('b_sql', { from: base.name, poolMax: 8 });
    await dropBenchDatabase(ctx.env, base);
    await prepareBaselineDatabase(baseline.db, ads);

    // The service.
    const memory = trackMemory();
    const topics = ctx.env.topics('b');
    const svc = await ctx.env.startService(service.url, topics, {
      ROLES: 'matcher',
      BACKFILL_DAYS: '30',
      OUTBOX_POLL_MS: '1000',
    });
    const relay = createRelay({
      db: service.db,
      databaseUrl: service.url,
      kafka: svc.kafka,
      log: ctx.env.logger('bench:b:relay'),
      metrics: createMetrics({ defaultMetrics: false }),
      shards: svc.config.outbox.shards,
      batchSize: svc.config.outbox.batchSize,
      pollMs: 1000,
    });
    await relay.start();
    const now = new Date();
    const day = localTime(now, TIME_ZONE).day;
    ctx.log(`B: service catch-up (tick of ${day})`);
    const started = performance.now();
    const { tickId } = await recordTick(service.db, svc.outbox, { day, timeZone: TIME_ZONE, requestedBy: 'api', now });
    await until(
      async () => (await service.db('ticks').where({ tick_id: tickId }).whereNotNull('started_at').first()) as unknown,
      'the tick to reach the matcher',
      60_000,
    );
    const deliveredMs = performance.now() - started;
    await relay.stop();
    let lastDone = -1;
    // The catch-up retries a failing group forever (a retriable error): give up after a few retries
    // and say why, rather than wait for the timeout.
    const retries = async () =>
      (await svc.metrics.retries.get()).values
        .filter((v) => v.labels.consumer === 'matcher-ticks')
        .reduce((n, v) => n + v.value, 0);
    let serviceError: string | undefined;
    try {
      await until(
        async () => {
          const t = (await service.db('ticks').where({ tick_id: tickId }).first()) as {
            completed_at: Date | null;
            hunts_done: number;
            hunts_total: number | null;
          };
          if (t.hunts_done !== lastDone && !ctx.quick)
            ctx.log(`B: service ${t.hunts_done}/${t.hunts_total ?? '?'} hunts`);
          lastDone = t.hunts_done;
          if ((await retries()) >= 3) {
            const last = ctx.env
              .serviceProblems(svc)
              .filter((p) => p.error)
              .pop();
            throw new Error(
              `the daily catch-up failed 3 times and keeps retrying: ${last?.msg ?? ''}: ${last?.error ?? 'no error logged'}`,
            );
          }
          return t.completed_at !== null;
        },
        'the daily catch-up to complete',
        30 * 60_000,
        ctx.quick ? 50 : 1000,
      );
    } catch (error) {
      serviceError = (error as Error).message;
      ctx.log(`B: service FAILED: ${serviceError}`);
    }
    const serviceSeconds = (performance.now() - started) / 1000;
    const servicePeak = memory.stop();
    await ctx.env.stopService(svc);
    const serviceLeads = await leadSet(service.db);
    const serviceContacted = Number(
      (await service.db('messages').count<Array<{ count: string }>>({ count: '*' }))[0]!.count,
    );
    checks.push({
      name: 'B: the service completed the daily catch-up',
      ok: serviceError === undefined,
      detail: serviceError ?? `in ${serviceSeconds.toFixed(1)} s`,
    });

    // The baseline.
    ctx.log('B: baseline, one SQL query per hunt, 5 in flight');
    const baselineMemory = trackMemory();
    const codec = createCodec();
    const baselineNow = new Date();
    const result = await catchUpPerHunt(baseline.db, {
      outbox: createOutbox({ codec, topics, shards: 16 }),
      now: baselineNow,
      pacingDay: localTime(baselineNow, TIME_ZONE).day,
      backfillDays: 30,
      concurrency: 5,
      onProgress: (done, total) => {
        if (!ctx.quick) ctx.log(`B: baseline ${done}/${total} hunts`);
      },
    });
    const baselinePeak = baselineMemory.stop();
    const baselineLeads = await leadSet(baseline.db);

    const onlyService = [...serviceLeads].filter((k) => !baselineLeads.has(k)).length;
    const onlyBaseline = [...baselineLeads].filter((k) => !serviceLeads.has(k)).length;
    checks.push({
      name: 'B produced leads',
      ok: serviceLeads.size > 0,
      detail: `${serviceLeads.size} leads by the service, ${baselineLeads.size} by the baseline`,
    });
    checks.push({
      name: 'B: same leads (account, ad, hunt)',
      ok: onlyService === 0 && onlyBaseline === 0,
      detail: `${onlyService} only by the service, ${onlyBaseline} only by the baseline`,
    });

    const activeRefreshing = hunts.filter((h) => h.status === 'active' && h.autoRefresh).length;
    rows.push({
      case: `service daily tick, ${huntCount / 1000}k hunts x ${adCount / 1000}k ads`,
      ...(serviceError ? {} : { throughput: { value: serviceLeads.size / serviceSeconds, unit: 'leads/s' } }),
      peakRssMb: servicePeak.peakRssMb,
      comparison: serviceError
        ? `FAILED after ${serviceSeconds.toFixed(0)} s (${serviceLeads.size} leads): see checks`
        : `${serviceSeconds.toFixed(1)} s in all; ${times(result.seconds, serviceSeconds)} faster`,
      details: {
        seconds: serviceSeconds,
        tickDeliveredMs: deliveredMs,
        leads: serviceLeads.size,
        messages: serviceContacted,
        huntsScanned: activeRefreshing,
        adsPerSecond: adCount / serviceSeconds,
      },
    });
    rows.push({
      case: `SQL query per hunt, 5 in flight`,
      throughput: { value: baselineLeads.size / result.seconds, unit: 'leads/s' },
      latencyMs: result.queryLatency,
      peakRssMb: baselinePeak.peakRssMb,
      comparison: `${result.seconds.toFixed(1)} s in all (latency: one hunt's query)`,
      details: {
        seconds: result.seconds,
        leads: baselineLeads.size,
        contacted: result.contacted,
        huntP50Ms: result.huntLatency.p50,
        huntP99Ms: result.huntLatency.p99,
      },
    });
    if (!ctx.quick)
      targets.push({
        name: 'daily catch-up vs per-hunt SQL, identical leads',
        goal: '>= 20x faster, same leads',
        measured: serviceError
          ? 'the service failed'
          : `${times(result.seconds, serviceSeconds)} (${serviceSeconds.toFixed(1)} s vs ${result.seconds.toFixed(1)} s), ${onlyService + onlyBaseline} differences`,
        met: !serviceError && result.seconds >= 20 * serviceSeconds && onlyService + onlyBaseline === 0,
      });
    notes.push(
      `${activeRefreshing} of the ${huntCount} hunts are active with autoRefresh (the others are paused or opted out); ${(baselineLeads.size / adCount).toFixed(2)} leads per ad (baseline).`,
    );
    notes.push(
      `Service time includes delivering the DailyTick through the outbox, relay and Kafka (${deliveredMs.toFixed(0)} ms).`,
    );
    await dropBenchDatabase(ctx.env, service);
    await dropBenchDatabase(ctx.env, baseline);
    return {
      sizes: { hunts: huntCount, ads: adCount },
      rows,
      checks,
      targets,
      notes,
      peakRssMb: Math.max(servicePeak.peakRssMb, baselinePeak.peakRssMb),
    };
  },
};
