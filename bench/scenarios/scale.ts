// Scenario SCALE, a country's worth (run only when named: npm run bench -- --scenario scale):
//   (a) the matcher's hunt index at 10,000, 100,000 and 1,000,000 hunts (dense world, ten hunts per
//       dealer), written straight into PostgreSQL with COPY: its cold start (every active hunt read,
//       compiled and placed, as a matcher does before joining its group), its RSS after a full GC, and
//       matching one ad against it, each in a process of its own (bench/tools/scaleIndexProbe.ts);
//   (b) the backfill's window at scale: 1.5 million ads scraped over 30 days (LeBonCoin's mix of types,
//       brands, regions and prices, bench/data/generate.ts) loaded with COPY beside 10,000 hunts; request ->
//       gateway call at 10 ads/s with every role running; then the built service (api, relay, matcher): POST /v1/hunts/preview, one hunt at a time; a new hunt's
//       backfill (POST /v1/hunts until the matcher marked it scanned); 1,000 hunts created in a burst while
//       ads arrive at 10 ads/s (all backfilled, and the continuous matcher's hops meanwhile); and live ads
//       through POST /v1/ads, with what PostgreSQL writes per ad (transactions, rows, WAL);
//   (c) retention on a compressed clock: a day of ads at a time (matched against 10,000 hunts, the
//       matched ones kept by a lead), then a pass of the retention job with the clock on that day, for
//       longer than the longest window, with the tables' sizes day by day;
//   (d) the daily catch-up over 100,000 hunts on a normal day (the day's ads already matched), timed from POST
//       /v1/ticks to the tick completed, and the continuous matcher's hops meanwhile;
//   (e) a Lobstr run of 10,000 ads in the dense world: from its webhook to the last seller contacted, every role
//       running, the stand-in keeping Lobstr's documented limits (100 results a page, 2 requests a second).
// Sizes: BENCH_SCALE_HUNTS (comma-separated), BENCH_SCALE_ADS, BENCH_SCALE_SIM_DAYS, BENCH_SCALE_SIM_ADS_PER_DAY;
// BENCH_SCALE_PARTS=index,window,retention,catch-up,lobstr runs some parts only; BENCH_SCALE_CPU_PROF=1 profiles the index probe.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startRetention } from '../../src/db/retention.js';
import { adNarrowingOf } from '../../src/domain/adNarrowing.js';
import { PREVIEW_MAX_DAYS } from '../../src/domain/adWindows.js';
import { huntIndexOf } from '../../src/domain/huntIndex.js';
import { attributeToOldest, matchAds } from '../../src/domain/matchAds.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import type { Db } from '../../src/db/knex.js';
import { narrowAds } from '../../src/sql/ads/narrowAds.js';
import { loadActiveHunts } from '../../src/sql/hunts/loadActiveHunts.js';
import { selectAdBrands } from '../../src/sql/ads/selectAdBrands.js';
import { streamAds } from '../../src/sql/ads/streamAds.js';
import { previewNarrowingOf } from '../../src/domain/huntPreview.js';
import { lobstrSpacingMs } from '../../src/importer/rateBudget.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { lobstrResult, parisWallClock, runDoneNotification, startFakeLobstr } from '../../testkit/fakeLobstr.js';
import { copyAccounts, copyAds, copyHunts, copyRows } from '../data/copy.js';
import { adInputOf, generateAds, generateHunts } from '../data/generate.js';
import { WORLDS } from '../data/worlds.js';
import { postAds } from '../lib/adLoad.js';
import { dropBenchDatabase, TOKENS } from '../lib/benchEnv.js';
import { createHuntsThroughApi } from '../lib/huntsThroughApi.js';
import { emptyReport } from '../lib/report.js';
import { diffHistograms, parseHistograms, quantile, type Histogram } from '../lib/promHistogram.js';
import { round, sleep, summarize, until } from '../lib/stats.js';
import type { Scenario, ScenarioContext } from './context.js';
import { bodyOf } from './huntPreview.js';

const DAY_MS = 86_400_000;
const WINDOW_DAYS = 30;
const HUNTS_PER_DEALER = 10;
const CHUNK = 100_000;
const TARGETS = {
  coldStartMs: new Map([
    [100_000, 3000],
    [1_000_000, 15_000],
  ]),
  rssMb: new Map([
    [100_000, 400],
    [1_000_000, 1536],
  ]),
  matchP99Ms: 2,
  backfillP95Ms: 500,
  previewP95Ms: 200,
};

const numbers = (v: string | undefined, fallback: number[]) =>
  v ? v.split(',').map((s) => Number(s.trim().replace(/_/g, ''))) : fallback;
const mb = (bytes: number) => Math.round(bytes / 1048576);

/** Dense-world hunts, ten per dealer, generated and COPYed a chunk at a time (a million never in memory at once). */
async function addHunts(url: string, seed: number, now: Date, from: number, to: number): Promise<void> {
  for (let at = from; at < to;) {
    const count = Math.min(CHUNK, to - at);
    const world = { ...WORLDS.dense, accounts: Math.max(1, Math.round(count / HUNTS_PER_DEALER)) };
    const { hunts, accountIds } = generateHunts(seed + at, count, { now, world });
    await copyAccounts(url, accountIds);
    await copyHunts(url, hunts);
    at += count;
  }
}

interface ProbeResult {
  hunts: number;
  loadMs: number;
  rssBeforeMb: number;
  rssMb: number;
  peakRssMb: number;
  heapMb: number;
  matchMs: { p50: number; p95: number; p99: number; max: number };
  cpuUsPerAd: number;
  matchesPerAd: number;
}

function probeIndex(url: string, seed: number): Promise<ProbeResult> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const profile = process.env.BENCH_SCALE_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=12288',
        ...profile,
        '--import',
        'tsx',
        'bench/tools/scaleIndexProbe.ts',
        url,
        String(seed),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the index probe exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ProbeResult);
    });
  });
}

const scalar = async (db: Db, sql: string, bindings: unknown[] = []) =>
  Object.values((await db.raw<{ rows: Array<Record<string, unknown>> }>(sql, bindings as never)).rows[0]!)[0];

/** What PostgreSQL has written so far: WAL position, full-page images, commits, rows inserted, updated and deleted. */
async function writesSoFar(db: Db) {
  const r = (
    await db.raw<{ rows: Array<Record<string, string>> }>(`
      SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS wal, (SELECT wal_fpi FROM pg_stat_wal) AS fpi,
             (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
             (SELECT sum(n_tup_ins) FROM pg_stat_user_tables) AS ins,
             (SELECT sum(n_tup_upd) FROM pg_stat_user_tables) AS upd,
             (SELECT sum(n_tup_del) FROM pg_stat_user_tables) AS del`)
  ).rows[0]!;
  return {
    wal: Number(r.wal),
    fpi: Number(r.fpi),
    commits: Number(r.commits),
    rows: Number(r.ins) + Number(r.upd) + Number(r.del),
  };
}

/** The ads of the window a hunt's backfill and preview read: its narrowing and the brands it accepts, as written. */
async function windowRead(db: Db, hunt: Hunt) {
  const { brands } = previewNarrowingOf(hunt, await selectAdBrands(db, hunt.adType));
  // Wrapped: a query builder is a thenable, which an async function's return would run.
  const q = narrowAds(
    db('ads').where('scraped_at', '>=', new Date(Date.now() - WINDOW_DAYS * DAY_MS)),
    adNarrowingOf(hunt),
  );
  if (brands !== undefined) q.whereIn('brand', brands);
  return { q };
}

async function explain(db: Db, q: { sql: string; bindings: readonly unknown[] }): Promise<string[]> {
  const { rows } = await db.raw<{ rows: Array<{ 'QUERY PLAN': string }> }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`,
    q.bindings as never,
  );
  return rows.map((r) => r['QUERY PLAN'].trim());
}

async function indexPart(ctx: ScenarioContext, report: ReturnType<typeof emptyReport>, sizes: number[]) {
  const database = await ctx.env.database('scale_index', { poolMax: 2 });
  let have = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    const t = Date.now();
    await addHunts(database.url, ctx.seed + 300, ctx.now, have, size);
    have = size;
    await database.db.raw('VACUUM ANALYZE hunts');
    ctx.log(`SCALE: ${size} hunts written in ${((Date.now() - t) / 1000).toFixed(1)}s; loading the index`);
    const p = await probeIndex(database.url, ctx.seed);
    const rssMb = p.rssMb;
    report.rows.push({
      case: `hunt index, ${size.toLocaleString('en')} hunts: cold start, match one ad`,
      throughput: { value: p.hunts / (p.loadMs / 1000), unit: 'hunts/s loaded' },
      latencyMs: {
        count: 3000,
        p50: p.matchMs.p50,
        p95: p.matchMs.p95,
        p99: p.matchMs.p99,
        max: p.matchMs.max,
        mean: p.cpuUsPerAd / 1000,
      },
      peakRssMb: p.peakRssMb,
      comparison: `cold start ${(p.loadMs / 1000).toFixed(1)} s; RSS ${rssMb} MB after GC (${p.rssBeforeMb} MB without the index); ${p.matchesPerAd.toFixed(1)} matching hunts per ad`,
      details: { ...p, matchMs: undefined, matchP99Ms: p.matchMs.p99, matchP50Ms: p.matchMs.p50 } as never,
    });
    const coldGoal = TARGETS.coldStartMs.get(size);
    if (coldGoal)
      report.targets.push({
        name: `matcher cold start, ${size.toLocaleString('en')} hunts`,
        goal: `<= ${coldGoal / 1000} s`,
        measured: `${(p.loadMs / 1000).toFixed(1)} s`,
        met: p.loadMs <= coldGoal,
      });
    const rssGoal = TARGETS.rssMb.get(size);
    if (rssGoal)
      report.targets.push({
        name: `matcher RSS with the index, ${size.toLocaleString('en')} hunts`,
        goal: `<= ${rssGoal} MB`,
        measured: `${rssMb} MB (peak while loading ${p.peakRssMb} MB)`,
        met: rssMb <= rssGoal,
      });
    if (size === Math.max(...sizes))
      report.targets.push({
        name: `matching one ad against ${size.toLocaleString('en')} hunts, p99`,
        goal: `<= ${TARGETS.matchP99Ms} ms`,
        measured: `${p.matchMs.p99.toFixed(2)} ms`,
        met: p.matchMs.p99 <= TARGETS.matchP99Ms,
      });
    report.checks.push({
      name: `index of ${size} hunts loaded`,
      ok: p.hunts > 0.9 * size,
      detail: `${p.hunts} active hunts indexed`,
    });
  }
}

/** The window's world: 10,000 dense-world hunts (1,000 quick) and `adCount` ads over 30 days, COPYed, then analyzed. */
export async function loadWindow(
  ctx: Pick<ScenarioContext, 'quick' | 'seed' | 'now' | 'log'>,
  report: ReturnType<typeof emptyReport>,
  database: { url: string; db: Db },
  adCount: number,
) {
  const t = Date.now();
  await addHunts(database.url, ctx.seed + 400, ctx.now, 0, ctx.quick ? 1000 : 10_000);
  const per = 50_000;
  for (let k = 0; k * per < adCount; k++) {
    const ads = generateAds(ctx.seed + 500 + k, Math.min(per, adCount - k * per), {
      now: ctx.now,
      windowDays: WINDOW_DAYS - 0.5,
      externalIdBase: 5_000_000_000 + k * per,
    });
    await copyAds(database.url, ads);
    if (k % 6 === 5) ctx.log(`SCALE: ${(k + 1) * per} ads copied`);
  }
  await database.db.raw('VACUUM ANALYZE');
  const loadS = (Date.now() - t) / 1000;
  const adsMb = mb(Number(await scalar(database.db, `SELECT pg_total_relation_size('ads')`)));
  ctx.log(`SCALE: ${adCount} ads copied in ${loadS.toFixed(0)}s (${adsMb} MB with indexes)`);
  report.rows.push({
    case: `${adCount.toLocaleString('en')} ads over ${WINDOW_DAYS} days, COPY`,
    throughput: { value: adCount / loadS, unit: 'ads/s' },
    comparison: `ads table and indexes ${adsMb} MB`,
    details: { ads: adCount, loadS: round(loadS, 1), adsMb },
  });
}

async function windowPart(ctx: ScenarioContext, report: ReturnType<typeof emptyReport>, adCount: number) {
  const quick = ctx.quick;
  const database = await ctx.env.database('scale_window', { poolMax: 4 });
  await loadWindow(ctx, report, database, adCount);

  await toTheGateway(ctx, report, database.url);
  const service = await ctx.env.startService(database.url, ctx.env.topics('scale'), {
    ROLES: 'api,relay,matcher',
    BACKFILL_DAYS: String(WINDOW_DAYS),
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  try {
    // Realistic hunts, as P takes them: 20-150 km around a dealer, a brand, often a model.
    const { hunts } = generateHunts(ctx.seed + 9, 2000, { now: ctx.now });
    const realistic = hunts.filter((h) => h.status === 'active' && h.radiusKm <= 150).slice(0, 20);

    const previews: number[] = [];
    const requests = quick ? 10 : 100;
    for (const h of realistic.slice(0, 4)) await post('/v1/hunts/preview', { ...bodyOf(h), days: WINDOW_DAYS });
    let matching = 0;
    let slowestPreview = { ms: 0, hunt: realistic[0]! };
    for (let i = 0; i < requests; i++) {
      const hunt = realistic[i % realistic.length]!;
      const s = performance.now();
      matching += (await post('/v1/hunts/preview', { ...bodyOf(hunt), days: WINDOW_DAYS })).matchingAds as number;
      previews.push(performance.now() - s);
      if (previews[i]! > slowestPreview.ms) slowestPreview = { ms: previews[i]!, hunt };
    }
    // What bounds it: the plan of the preview's read for its slowest hunt (src/sql/selectPreviewAds.ts).
    const previewRead = (await windowRead(database.db, slowestPreview.hunt)).q
      .orderByRaw('coalesce(first_published_at, scraped_at) DESC, id DESC')
      .toSQL();
    report.notes.push(
      `preview's read for the slowest hunt (${Math.round(slowestPreview.ms)} ms): ${(await explain(database.db, previewRead)).join(' | ')}`,
    );
    const preview = summarize(previews);
    report.rows.push({
      case: `preview, realistic hunts, ${adCount.toLocaleString('en')} ads`,
      throughput: { value: 1000 / preview.p50, unit: 'req/s' },
      latencyMs: preview,
      comparison: `one at a time over HTTP; ${Math.round(matching / requests)} matching ads per hunt on average`,
    });
    report.targets.push({
      name: `POST /v1/hunts/preview over ${adCount.toLocaleString('en')} ads, p95`,
      goal: `<= ${TARGETS.previewP95Ms} ms`,
      measured: `${preview.p95.toFixed(0)} ms`,
      met: preview.p95 <= TARGETS.previewP95Ms,
    });

    // A new hunt's backfill: from POST /v1/hunts to the matcher's mark that it was scanned (the relay and
    // Kafka hops included), one hunt at a time, each a new dealer's.
    const backfills: number[] = [];
    let slowest = { ms: 0, hunt: realistic[0]! };
    const count = quick ? 5 : 40;
    for (let i = 0; i < count; i++) {
      const hunt = realistic[i % realistic.length]!;
      const { days: _days, ...body } = bodyOf(hunt);
      const s = performance.now();
      const created = await post('/v1/hunts', { ...body, accountId: randomUUID() });
      const id = created.id as string;
      await until(
        async () => (await database.db('hunts').where({ id }).whereNotNull('last_scan_at').first()) !== undefined,
        `hunt ${id} backfilled`,
        120_000,
        5,
      );
      backfills.push(performance.now() - s);
      if (backfills[backfills.length - 1]! > slowest.ms) slowest = { ms: backfills[backfills.length - 1]!, hunt };
    }
    const backfill = summarize(backfills);
    report.rows.push({
      case: `new hunt's backfill, ${adCount.toLocaleString('en')} ads`,
      throughput: { value: 1000 / backfill.p50, unit: 'hunts/s' },
      latencyMs: backfill,
      comparison: 'POST /v1/hunts -> scanned (relay and Kafka hops included), one at a time',
    });
    report.targets.push({
      name: `one new hunt's backfill over ${adCount.toLocaleString('en')} ads, p95`,
      goal: `<= ${TARGETS.backfillP95Ms} ms`,
      measured: `${backfill.p95.toFixed(0)} ms`,
      met: backfill.p95 <= TARGETS.backfillP95Ms,
    });

    // The backfill's own work, without the hops: its reads (src/sql/streamAds.ts, as the matcher pages
    // them) and matching, per hunt, in this process; leads are not written.
    const reads: number[] = [];
    for (const hunt of realistic) {
      const s = performance.now();
      const { brands } = previewNarrowingOf(hunt, await selectAdBrands(database.db, hunt.adType));
      const filter = {
        scrapedSince: new Date(Date.now() - WINDOW_DAYS * DAY_MS),
        narrowing: adNarrowingOf(hunt),
        brands,
      };
      const one = huntIndexOf([hunt]);
      for await (const ads of streamAds(database.db, filter)) matchAds(ads, one);
      reads.push(performance.now() - s);
    }
    const read = summarize(reads);
    report.rows.push({
      case: `backfill's reads and matching, ${adCount.toLocaleString('en')} ads`,
      throughput: { value: 1000 / read.p50, unit: 'hunts/s' },
      latencyMs: read,
      comparison: `${realistic.length} hunts, in the bench process, no lead written`,
    });

    // What bounds it: the plan of the first page the backfill reads for the slowest hunt (src/sql/streamAds.ts).
    const page = (await windowRead(database.db, slowest.hunt)).q
      .orderBy([{ column: 'scraped_at' }, { column: 'id' }])
      .limit(5000)
      .toSQL();
    const plan = await explain(database.db, page);
    report.notes.push(`backfill's first page for the slowest hunt (${Math.round(slowest.ms)} ms): ${plan.join(' | ')}`);

    await huntBurst(ctx, report, database.db, service.url);

    // Live ads through the API, matched against the hunts: what PostgreSQL writes per ad.
    const live = quick ? 200 : 2000;
    const before = await writesSoFar(database.db);
    const ads = generateAds(ctx.seed + 600, live, { now: new Date(), windowDays: 0.01, externalIdBase: 6_000_000_000 });
    for (let i = 0; i < ads.length; i += 100) {
      const res = await fetch(`${service.url}/v1/ads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ads: ads.slice(i, i + 100).map(adInputOf) }),
      });
      if (res.status !== 202) throw new Error(`POST /v1/ads answered ${res.status}: ${await res.text()}`);
    }
    let quietSince = 0;
    let lastLeads = -1;
    await until(
      async () => {
        const outbox = Number(await scalar(database.db, 'SELECT count(*) FROM outbox'));
        const leads = Number(await scalar(database.db, 'SELECT count(*) FROM leads'));
        if (outbox > 0 || leads !== lastLeads) quietSince = 0;
        else quietSince ||= Date.now();
        lastLeads = leads;
        return quietSince > 0 && Date.now() - quietSince > 2000;
      },
      'the live ads matched and their events published',
      300_000,
      200,
    );
    const after = await writesSoFar(database.db);
    const perAd = {
      walKb: (after.wal - before.wal) / 1024 / live,
      fullPages: (after.fpi - before.fpi) / live,
      commits: (after.commits - before.commits) / live,
      rows: (after.rows - before.rows) / live,
      leads: lastLeads / live,
    };
    report.rows.push({
      case: `live ads through POST /v1/ads, ${live} ads, 10,000 hunts`,
      comparison: `per ad: ${perAd.walKb.toFixed(1)} kB of WAL (${perAd.fullPages.toFixed(1)} full-page images, written at a page's first change after a checkpoint), ${perAd.commits.toFixed(1)} commits, ${perAd.rows.toFixed(1)} rows written; at 50,000 ads a day ${((perAd.walKb * 50_000) / 1048576).toFixed(1)} GB of WAL`,
      details: {
        walKbPerAd: round(perAd.walKb, 2),
        fullPageImagesPerAd: round(perAd.fullPages, 2),
        commitsPerAd: round(perAd.commits, 2),
        rowsPerAd: round(perAd.rows, 2),
        leadsPerAd: round(perAd.leads, 2),
        walGbPerDayAt50k: round((perAd.walKb * 50_000) / 1048576, 2),
      },
    });
  } finally {
    await ctx.env.stopService(service);
  }
}

/** The service's hop histograms, from its /metrics. */
const hopsOf = async (serviceUrl: string) =>
  parseHistograms(await (await fetch(`${serviceUrl}/metrics`)).text(), 'hunt_matcher_hop_seconds', 'hop');

/**
 * The hunter's number in this world: request -> gateway call at 10 ads/s, every role in one process and the
 * generic gateway answering at once, before the window's part adds any hunt (so no backfill's messages wait).
 */
async function toTheGateway(ctx: ScenarioContext, report: ReturnType<typeof emptyReport>, databaseUrl: string) {
  const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 200 }));
  const service = await ctx.env.startService(databaseUrl, ctx.env.topics('scale'), {
    ROLES: 'api,relay,matcher,sender',
    BACKFILL_DAYS: String(WINDOW_DAYS),
    MESSAGE_GATEWAY_URL: gateway.url,
    SEND_RATE_PER_MINUTE: '100000',
  });
  try {
    const before = await hopsOf(service.url);
    let done = false;
    const posting = tenAdsPerSecond(ctx, service.url, 6_900_000_000, () => done);
    await sleep(ctx.quick ? 5000 : 30_000);
    done = true;
    const ads = await posting;
    await sleep(3000);
    const h = diffHistograms(await hopsOf(service.url), before).get('request_to_gateway');
    const p50 = h ? quantile(h, 0.5) * 1000 : NaN;
    const p99 = h ? quantile(h, 0.99) * 1000 : NaN;
    report.rows.push({
      case: 'request -> gateway call at 10 ads/s, every role in one process',
      throughput: { value: ads / (ctx.quick ? 5 : 30), unit: 'ads/s' },
      comparison: `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms over ${h?.count ?? 0} first calls (the service's request_to_gateway histogram); ${ads} ads, 10,000 hunts, the window's ads in the table`,
      details: { ads, calls: h?.count ?? 0, p50Ms: round(p50, 1), p99Ms: round(p99, 1) },
    });
    report.targets.push({
      name: 'request -> gateway call p99 at 10 ads/s in this world',
      goal: '<= 250 ms',
      measured: `${p99.toFixed(0)} ms`,
      met: p99 <= 250,
    });
  } finally {
    await ctx.env.stopService(service);
    await gateway.close();
  }
}

/** Ads posted one a request every 100 ms (10 ads/s) until `done`, new ones each time. */
async function tenAdsPerSecond(
  ctx: Pick<ScenarioContext, 'seed'>,
  serviceUrl: string,
  base: number,
  done: () => boolean,
) {
  let i = 0;
  while (!done()) {
    const [ad] = generateAds(ctx.seed + 700 + i, 1, { now: new Date(), windowDays: 0.01, externalIdBase: base + i });
    if ((await postAds(serviceUrl, [ad!])) === null) throw new Error('POST /v1/ads refused an ad of the load');
    i++;
    await sleep(100);
  }
  return i;
}

/**
 * 1,000 hunts created in a burst through POST /v1/hunts (16 requests in flight, ten hunts a new dealer) while
 * ads arrive at 10 ads/s: the time until every one of them is backfilled over the window, and the continuous
 * matcher's hops meanwhile, beside the same load for 15 s before the burst.
 */
export async function huntBurst(
  ctx: Pick<ScenarioContext, 'quick' | 'seed' | 'now' | 'log'>,
  report: ReturnType<typeof emptyReport>,
  db: Db,
  serviceUrl: string,
  size = ctx.quick ? 100 : 1000,
) {
  const limitMs = 15 * 60_000;
  const hops = () => hopsOf(serviceUrl);
  const p99Of = (h: Map<string, Histogram>, hop: string) => (h.get(hop) ? quantile(h.get(hop)!, 0.99) * 1000 : NaN);
  const matching = (h: Map<string, Histogram>) =>
    ({ toMatcher: p99Of(h, 'publish_to_matcher'), commit: p99Of(h, 'matcher_consume_to_commit') }) as const;

  let quietDone = false;
  const q0 = await hops();
  const quietAds = tenAdsPerSecond(ctx, serviceUrl, 7_000_000_000, () => quietDone);
  await sleep(15_000);
  quietDone = true;
  await quietAds;
  await sleep(1000);
  const quiet = matching(diffHistograms(await hops(), q0));

  const { hunts } = generateHunts(ctx.seed + 11, size * 4, { now: ctx.now });
  const burst = hunts.filter((h) => h.status === 'active' && h.radiusKm <= 150).slice(0, size);
  const dealers = Array.from({ length: Math.ceil(burst.length / 10) }, () => randomUUID());
  let burstDone = false;
  const b0 = await hops();
  const t = performance.now();
  const liveAds = tenAdsPerSecond(ctx, serviceUrl, 7_100_000_000, () => burstDone);
  const { created } = await createHuntsThroughApi(
    serviceUrl,
    burst.map((hunt, i) => ({ hunt, accountId: dealers[i % dealers.length]! })),
    (m) => ctx.log(`SCALE: burst: ${m}`),
    ({ hunt, accountId }) => {
      const { days: _days, ...body } = bodyOf(hunt);
      return { ...body, accountId };
    },
    16,
  );
  const ids = created.map((c) => c.id);
  const createdS = (performance.now() - t) / 1000;
  const scanned = async () =>
    Number(
      await scalar(db, 'SELECT count(*) FROM hunts WHERE id = ANY(?::uuid[]) AND last_scan_at IS NOT NULL', [ids]),
    );
  let done = 0;
  let lastLog = performance.now();
  while (performance.now() - t < limitMs) {
    done = await scanned();
    if (done === ids.length) break;
    if (performance.now() - lastLog > 30_000) {
      ctx.log(
        `SCALE: burst: ${done} of ${ids.length} hunts backfilled after ${((performance.now() - t) / 1000).toFixed(0)}s`,
      );
      lastLog = performance.now();
    }
    await sleep(250);
  }
  const allS = (performance.now() - t) / 1000;
  burstDone = true;
  await liveAds;
  const during = matching(diffHistograms(await hops(), b0));
  const ratio = Math.max(during.toMatcher / quiet.toMatcher, during.commit / quiet.commit);
  report.rows.push({
    case: `${ids.length.toLocaleString('en')} hunts created in a burst, 16 in flight`,
    throughput: { value: done / allS, unit: 'hunts/s' },
    comparison: `${done} of ${ids.length} backfilled in ${allS.toFixed(0)} s (created in ${createdS.toFixed(1)} s); ads at 10 ads/s meanwhile: publish -> matcher p99 ${during.toMatcher.toFixed(0)} ms (quiet ${quiet.toMatcher.toFixed(0)}), consume -> commit p99 ${during.commit.toFixed(0)} ms (quiet ${quiet.commit.toFixed(0)})`,
    details: {
      hunts: ids.length,
      backfilled: done,
      allS: round(allS, 1),
      createdS: round(createdS, 1),
      quietToMatcherP99Ms: round(quiet.toMatcher, 1),
      quietCommitP99Ms: round(quiet.commit, 1),
      burstToMatcherP99Ms: round(during.toMatcher, 1),
      burstCommitP99Ms: round(during.commit, 1),
    },
  });
  report.targets.push({
    name: `${ids.length.toLocaleString('en')} hunts created in a burst: all backfilled`,
    goal: '<= 60 s',
    measured: done === ids.length ? `${allS.toFixed(0)} s` : `${done} of ${ids.length} after ${allS.toFixed(0)} s`,
    met: done === ids.length && allS <= 60,
  });
  report.targets.push({
    name: 'continuous matching p99 during the burst, against its quiet value',
    goal: '<= 2x',
    measured: `${ratio.toFixed(2)}x`,
    met: ratio <= 2,
  });
}

/**
 * The daily catch-up over 100,000 hunts (10,000 quick), as on a normal day: a day of ads (50,000; 2,000 quick)
 * that the continuous matcher already made leads of (written with COPY: one lead per matched ad and dealer,
 * attributed as the matcher does), every hunt last scanned the day before. POST /v1/ticks, timed until the tick
 * is completed, while ads arrive at 10 ads/s: the continuous matcher's hops meanwhile against 15 s before.
 */
async function catchUpPart(ctx: ScenarioContext, report: ReturnType<typeof emptyReport>) {
  const size = ctx.quick ? 10_000 : 100_000;
  const perDay = ctx.quick ? 2000 : 50_000;
  const database = await ctx.env.database('scale_catch_up', { poolMax: 2 });
  await addHunts(database.url, ctx.seed + 900, ctx.now, 0, size);
  const now = new Date();
  const ads = generateAds(ctx.seed + 901, perDay, { now, windowDays: 1, externalIdBase: 9_000_000_000 });
  await copyAds(database.url, ads);
  await database.db('hunts').update({ last_scan_at: new Date(now.getTime() - DAY_MS - 3_600_000) });
  const index = huntIndexOf(await loadActiveHunts(database.db));
  let leads = 0;
  await copyRows(
    database.url,
    'leads',
    { id: 'uuid', account_id: 'uuid', ad_id: 'uuid', hunt_id: 'uuid', created_at: 'timestamptz' },
    (function* () {
      for (const ad of ads)
        for (const h of attributeToOldest(index.match(ad).map((c) => c.hunt))) {
          leads++;
          yield {
            id: randomUUID(),
            account_id: h.accountId,
            ad_id: ad.adId,
            hunt_id: h.id,
            created_at: new Date(ad.scrapedAt),
          };
        }
    })(),
  );
  await database.db.raw('VACUUM ANALYZE');
  ctx.log(`SCALE: catch-up world: ${index.size} hunts, ${perDay} ads of the last day, ${leads} leads already made`);

  const service = await ctx.env.startService(database.url, ctx.env.topics('scale_catch_up'), {
    ROLES: 'api,relay,matcher',
  });
  try {
    const matching = (h: Map<string, Histogram>) => ({
      toMatcher: h.get('publish_to_matcher') ? quantile(h.get('publish_to_matcher')!, 0.99) * 1000 : NaN,
      commit: h.get('matcher_consume_to_commit') ? quantile(h.get('matcher_consume_to_commit')!, 0.99) * 1000 : NaN,
    });
    let quietDone = false;
    const q0 = await hopsOf(service.url);
    const quietAds = tenAdsPerSecond(ctx, service.url, 9_100_000_000, () => quietDone);
    await sleep(15_000);
    quietDone = true;
    await quietAds;
    await sleep(1000);
    const quiet = matching(diffHistograms(await hopsOf(service.url), q0));
    const leads0 = Number(await scalar(database.db, 'SELECT count(*) FROM leads'));

    let done = false;
    const b0 = await hopsOf(service.url);
    const t = performance.now();
    const live = tenAdsPerSecond(ctx, service.url, 9_200_000_000, () => done);
    const res = await fetch(`${service.url}/v1/ticks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.CRON_SECRET}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status !== 202) throw new Error(`POST /v1/ticks answered ${res.status}: ${await res.text()}`);
    const { tickId } = (await res.json()) as { tickId: string };
    const limitMs = 20 * 60_000;
    type TickRow = { hunts_total: number | null; hunts_done: number; completed_at: Date | null };
    let tick: TickRow | undefined;
    let lastLog = performance.now();
    while (performance.now() - t < limitMs) {
      tick = await database.db('ticks').where({ tick_id: tickId }).first<TickRow | undefined>();
      if (tick?.completed_at) break;
      if (performance.now() - lastLog > 30_000) {
        ctx.log(
          `SCALE: catch-up: ${tick?.hunts_done ?? 0} of ${tick?.hunts_total ?? '?'} hunts after ${((performance.now() - t) / 1000).toFixed(0)} s`,
        );
        lastLog = performance.now();
      }
      await sleep(250);
    }
    const tookS = (performance.now() - t) / 1000;
    done = true;
    await live;
    const during = matching(diffHistograms(await hopsOf(service.url), b0));
    const ratio = Math.max(during.toMatcher / quiet.toMatcher, during.commit / quiet.commit);
    const created = Number(await scalar(database.db, 'SELECT count(*) FROM leads')) - leads0;
    const completed = Boolean(tick?.completed_at);
    report.rows.push({
      case: `daily catch-up, ${size.toLocaleString('en')} hunts, a day of ${perDay.toLocaleString('en')} ads`,
      throughput: { value: (tick?.hunts_done ?? 0) / tookS, unit: 'hunts/s' },
      comparison: `${completed ? 'completed' : `not completed (${tick?.hunts_done ?? 0} of ${tick?.hunts_total ?? '?'} hunts)`} in ${tookS.toFixed(0)} s over ${leads.toLocaleString('en')} leads already made (${created} created meanwhile, the live ads' included); ads at 10 ads/s meanwhile: publish -> matcher p99 ${during.toMatcher.toFixed(0)} ms (quiet ${quiet.toMatcher.toFixed(0)}), consume -> commit p99 ${during.commit.toFixed(0)} ms (quiet ${quiet.commit.toFixed(0)})`,
      details: {
        hunts: size,
        ads: perDay,
        leadsBefore: leads,
        completed,
        huntsDone: tick?.hunts_done ?? 0,
        tookS: round(tookS, 1),
        quietToMatcherP99Ms: round(quiet.toMatcher, 1),
        quietCommitP99Ms: round(quiet.commit, 1),
        duringToMatcherP99Ms: round(during.toMatcher, 1),
        duringCommitP99Ms: round(during.commit, 1),
      },
    });
    report.checks.push({
      name: 'the catch-up completed, each hunt counted once',
      ok: completed && tick?.hunts_done === tick?.hunts_total,
      detail: `${tick?.hunts_done ?? 0} of ${tick?.hunts_total ?? '?'} hunts done`,
    });
    report.targets.push({
      name: `daily catch-up over ${size.toLocaleString('en')} hunts`,
      goal: '<= 2 min',
      measured: completed ? `${tookS.toFixed(0)} s` : `not completed after ${tookS.toFixed(0)} s`,
      met: completed && tookS <= 120,
    });
    report.targets.push({
      name: 'continuous matching p99 during the catch-up, against its quiet value',
      goal: '<= 2x',
      measured: `${ratio.toFixed(2)}x`,
      met: ratio <= 2,
    });
  } finally {
    await ctx.env.stopService(service);
    await dropBenchDatabase(ctx.env, database);
  }
}

/** One bench ad as Lobstr's results API gives it (testkit/fakeLobstr.ts: the fields src/importer/mapResult.ts reads). */
function lobstrResultOf(ad: Ad, runId: string, i: number, scrapedAt: Date): Record<string, unknown> {
  return lobstrResult({
    id: `${runId.slice(0, 8)}${i.toString(16).padStart(24, '0')}`,
    run: runId,
    scraping_time: scrapedAt.toISOString().slice(0, -1),
    annonce_id: ad.externalId,
    title: ad.title,
    description: ad.description,
    price: ad.price,
    url: ad.url,
    city: ad.city,
    postal_code: ad.zipcode,
    department: ad.department,
    lat: String(ad.lat),
    lng: String(ad.lng),
    owner_name: ad.ownerName,
    owner_type: ad.ownerType,
    phone: ad.phone,
    has_phone: ad.phone !== null,
    no_salesmen: !ad.acceptSalesmen,
    urgent: ad.isUrgent,
    is_boosted: ad.hasBeenBoosted,
    first_publication_date: ad.firstPublishedAt === null ? null : parisWallClock(ad.firstPublishedAt),
    last_publication_date: ad.lastPublishedAt === null ? null : parisWallClock(ad.lastPublishedAt),
    pictures: ad.pictures.join(','),
    category_name: ad.adType[0]!.toUpperCase() + ad.adType.slice(1),
    details: {
      Marque: ad.brand,
      Modèle: ad.model,
      'Année modèle': ad.modelYear === null ? null : String(ad.modelYear),
      Kilométrage: ad.mileageKm === null ? null : `${ad.mileageKm} km`,
      Carburant: ad.fuel,
      'Boîte de vitesse': ad.gearbox,
    },
    more_details: {
      brand: ad.brand,
      model: ad.model,
      regdate: ad.modelYear === null ? null : String(ad.modelYear),
      mileage: ad.mileageKm === null ? null : String(ad.mileageKm),
    },
  });
}

/**
 * A Lobstr run of 10,000 ads (1,000 quick) in the dense world (10,000 hunts): from the run.done webhook to
 * the last seller contacted (the generic gateway's last first call), every role in one process, the
 * stand-in answering /v1/results at most twice a second with 100 results a page, as Lobstr documents.
 */
async function lobstrPart(ctx: ScenarioContext, report: ReturnType<typeof emptyReport>) {
  const count = ctx.quick ? 1000 : 10_000;
  const database = await ctx.env.database('scale_lobstr', { poolMax: 2 });
  await addHunts(database.url, ctx.seed + 400, ctx.now, 0, ctx.quick ? 1000 : 10_000);
  await database.db.raw('VACUUM ANALYZE');
  const lobstr = await startFakeLobstr({ apiKey: TOKENS.LOBSTR_API_KEY, maxRequestsPerSecond: 2 });
  const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 200 }));
  const runId = randomUUID().replace(/-/g, '');
  const scrapedAt = new Date();
  const ads = generateAds(ctx.seed + 800, count, { now: scrapedAt, windowDays: 1, externalIdBase: 8_000_000_000 });
  lobstr.addRun(
    runId,
    ads.map((ad, i) => lobstrResultOf(ad, runId, i, scrapedAt)),
  );
  const service = await ctx.env.startService(database.url, ctx.env.topics('scale_lobstr'), {
    ROLES: 'api,relay,matcher,sender,importer',
    LOBSTR_API_URL: lobstr.url,
    MESSAGE_GATEWAY_URL: gateway.url,
    SEND_RATE_PER_MINUTE: '100000',
  });
  try {
    const t = Date.now();
    const res = await fetch(`${service.url}/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(runDoneNotification(runId)),
    });
    if (res.status >= 300) throw new Error(`the Lobstr webhook answered ${res.status}: ${await res.text()}`);
    const runRow = () =>
      database.db('lobstr_runs').where({ run_id: runId }).first<{ status: string; updated_at: Date } | undefined>();
    let importedAt = 0;
    let quietSince = 0;
    let last = '';
    let lastLog = Date.now();
    await until(
      async () => {
        if (!importedAt && (await runRow())?.status === 'done') importedAt = Date.now();
        const state = await database.db.raw<{ rows: Array<{ outbox: number; leads: number; due: number }> }>(
          `SELECT (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM leads)::int AS leads,
                  (SELECT count(*) FROM messages WHERE status = 'pending' AND next_attempt_at <= now())::int AS due`,
        );
        const now = JSON.stringify(state.rows[0]);
        if (Date.now() - lastLog > 15_000) {
          ctx.log(
            `SCALE: Lobstr run: ${now}, ${lobstr.requests.length} Lobstr requests, ${gateway.requests.length} gateway calls`,
          );
          lastLog = Date.now();
        }
        const settled = importedAt > 0 && state.rows[0]!.outbox === 0 && state.rows[0]!.due === 0 && now === last;
        last = now;
        if (!settled) quietSince = 0;
        else quietSince ||= Date.now();
        return quietSince > 0 && Date.now() - quietSince > 3000;
      },
      'the Lobstr run imported, matched and its sellers contacted',
      900_000,
      250,
    );
    const calls = gateway.requests.filter((r) => r.status === 200);
    const lastCall = Math.max(...calls.map((r) => r.at));
    const results = lobstr.requests.filter((r) => r.endpoint === 'results');
    const ingested = Number(await scalar(database.db, 'SELECT count(*) FROM ads'));
    const importS = (importedAt - t) / 1000;
    const lastS = (lastCall - t) / 1000;
    // The floors: Lobstr's pages of at most 100 results, at most 2 requests a second; and the importer's spacing
    // of its requests, 25% wider than that (src/importer/rateBudget.ts).
    const pageCount = Math.ceil(count / 100);
    const floorS = pageCount / 2;
    const spacedS = (pageCount * lobstrSpacingMs(2)) / 1000;
    report.rows.push({
      case: `Lobstr run of ${count.toLocaleString('en')} ads, dense world, every role`,
      throughput: { value: count / lastS, unit: 'ads/s' },
      comparison: `webhook -> last seller contacted ${lastS.toFixed(1)} s (imported in ${importS.toFixed(1)} s, ${results.length} result pages; Lobstr's 2 requests/s on 100-result pages allow no less than ${floorS} s, the importer's spacing of ${lobstrSpacingMs(2)} ms ${spacedS.toFixed(1)} s); ${ingested} ads, ${calls.length} sellers contacted`,
      details: {
        ads: count,
        ingested,
        pages: results.length,
        importS: round(importS, 1),
        lastContactS: round(lastS, 1),
        contacted: calls.length,
        lobstrFloorS: floorS,
        spacedFloorS: spacedS,
      },
    });
    report.targets.push({
      name: `a Lobstr run of ${count.toLocaleString('en')} ads: webhook -> last seller contacted`,
      goal: '<= 30 s',
      measured: `${lastS.toFixed(1)} s (Lobstr's rate limit alone: ${floorS} s; the importer's spacing: ${spacedS.toFixed(1)} s)`,
      met: lastS <= 30,
    });
    report.checks.push({
      name: 'every ad of the Lobstr run ingested',
      ok: ingested >= count * 0.95,
      detail: `${ingested} of ${count} (results without a usable field are skipped, as the importer reports)`,
    });
  } finally {
    await ctx.env.stopService(service);
    await gateway.close();
    await lobstr.close();
  }
}

async function retentionPart(
  ctx: ScenarioContext,
  report: ReturnType<typeof emptyReport>,
  days: number,
  perDay: number,
) {
  const database = await ctx.env.database('scale_retention', { poolMax: 2 });
  const accounts = 500;
  const { hunts, accountIds } = generateHunts(ctx.seed + 700, 10_000, {
    now: ctx.now,
    world: { ...WORLDS.dense, accounts },
  });
  await copyAccounts(database.url, accountIds);
  await copyHunts(database.url, hunts);
  const index = huntIndexOf(hunts);
  const start = ctx.now.getTime() - days * DAY_MS;
  let simNow = new Date(start);
  const retention = startRetention({
    databaseUrl: database.url,
    log: ctx.env.logger('retention'),
    now: () => simNow,
    everyMs: 1_000_000_000,
    batchSize: 1000,
    adsRetentionDays: PREVIEW_MAX_DAYS,
    windows: { backfillDays: WINDOW_DAYS, contactMaxAgeDays: 7 },
    inboxRetentionDays: 14,
  });
  interface Day {
    day: number;
    ads: number;
    adsMb: number;
    leadRows: number;
    deletedToday: number;
    passMs: number;
    walMbToday: number;
    leadsPerDay: number;
  }
  const series: Day[] = [];
  let leadsCounted = 0;
  try {
    for (let d = 0; d < days; d++) {
      simNow = new Date(start + (d + 1) * DAY_MS);
      // Ids of their own: the generator's, drawn from a small random state, repeat within a few million ads.
      const ads: Ad[] = generateAds(ctx.seed + 1000 + d, perDay, {
        now: simNow,
        windowDays: 1,
        externalIdBase: 7_000_000_000 + d * perDay,
      }).map((a) => ({ ...a, adId: randomUUID() }));
      // Each matched ad's leads, one per dealer, counted; one lead row per matched ad is written (what
      // keeps the ad from retention), not all of them.
      const leadRows: Array<Record<string, unknown>> = [];
      let dayLeads = 0;
      for (const ad of ads) {
        const matched = attributeToOldest(index.match(ad).map((c) => c.hunt));
        if (matched.length === 0) continue;
        dayLeads += matched.length;
        const h = matched[0]!;
        leadRows.push({ id: randomUUID(), account_id: h.accountId, ad_id: ad.adId, hunt_id: h.id, created_at: simNow });
      }
      leadsCounted += dayLeads;
      const wal0 = Number(await scalar(database.db, `SELECT pg_current_wal_lsn() - '0/0'::pg_lsn`));
      await copyAds(database.url, ads);
      await copyRows(
        database.url,
        'leads',
        { id: 'uuid', account_id: 'uuid', ad_id: 'uuid', hunt_id: 'uuid', created_at: 'timestamptz' },
        leadRows,
      );
      const passStarted = Date.now();
      const deleted = (await retention.runOnce())?.ads ?? 0;
      const passMs = Date.now() - passStarted;
      const wal = Number(await scalar(database.db, `SELECT pg_current_wal_lsn() - '0/0'::pg_lsn`)) - wal0;
      if ((d + 1) % 10 === 0 || d === days - 1) {
        await database.db.raw('VACUUM ads');
        const row = {
          day: d + 1,
          ads: Number(await scalar(database.db, 'SELECT count(*) FROM ads')),
          adsMb: mb(Number(await scalar(database.db, `SELECT pg_total_relation_size('ads')`))),
          leadRows: Number(await scalar(database.db, 'SELECT count(*) FROM leads')),
          deletedToday: deleted,
          passMs,
          walMbToday: round(wal / 1048576, 1),
          leadsPerDay: dayLeads,
        };
        series.push(row);
        ctx.log(`SCALE retention: ${JSON.stringify(row)}`);
      }
    }
  } finally {
    await retention.stop();
  }
  const last = series[series.length - 1]!;
  const firstPast = series.find((s) => s.day >= PREVIEW_MAX_DAYS + 2);
  report.rows.push({
    case: `retention, ${days} days at ${perDay.toLocaleString('en')} ads/day (compressed clock)`,
    comparison: series.map((s) => `day ${s.day}: ${s.ads} ads, ${s.adsMb} MB`).join('; '),
    details: {
      days,
      perDay,
      lastAds: last.ads,
      lastAdsMb: last.adsMb,
      lastPassMs: last.passMs,
      leadsPerDayPer10kDealers: round(((leadsCounted / days) * 10_000) / accounts, 0),
      adsReferencedPerDay: round(last.leadRows / days, 0),
    },
  });
  report.notes.push(`retention series: ${JSON.stringify(series)}`);
  if (firstPast && firstPast.day < last.day) {
    // Past the window, the unreferenced ads stay flat; the ads leads refer to grow with the leads.
    const unreferenced = (s: Day) => s.ads - s.leadRows;
    const growth = (unreferenced(last) - unreferenced(firstPast)) / unreferenced(firstPast);
    report.checks.push({
      name: 'unreferenced ads flat after the first window',
      ok: Math.abs(growth) < 0.05,
      detail: `${unreferenced(firstPast)} on day ${firstPast.day}, ${unreferenced(last)} on day ${last.day}`,
    });
  }
  report.notes.push(
    `retention: in the dense world, ${round(leadsCounted / days / perDay, 2)} leads per ad over ${accounts} dealers (${round((leadsCounted / days) * (10_000 / accounts), 0)} a day per 10,000 dealers at this rate); each lead keeps its ad`,
  );
}

export const scale: Scenario = {
  id: 'SCALE',
  title: 'At scale: a million hunts in the index, 1.5 million ads in the window, retention over a season',
  optIn: true,
  async run(ctx) {
    const report = emptyReport();
    const sizes = ctx.quick ? [2000, 10_000] : numbers(process.env.BENCH_SCALE_HUNTS, [10_000, 100_000, 1_000_000]);
    const adCount = ctx.quick ? 20_000 : Number(process.env.BENCH_SCALE_ADS ?? 1_500_000);
    const simDays = ctx.quick ? PREVIEW_MAX_DAYS + 5 : Number(process.env.BENCH_SCALE_SIM_DAYS ?? 120);
    const perDay = ctx.quick ? 200 : Number(process.env.BENCH_SCALE_SIM_ADS_PER_DAY ?? 50_000);
    const parts = new Set(
      (process.env.BENCH_SCALE_PARTS ?? 'index,window,retention,catch-up,lobstr').split(',').map((p) => p.trim()),
    );
    if (parts.has('index')) await indexPart(ctx, report, sizes);
    if (parts.has('window')) await windowPart(ctx, report, adCount);
    if (parts.has('retention')) await retentionPart(ctx, report, simDays, perDay);
    if (parts.has('catch-up')) await catchUpPart(ctx, report);
    if (parts.has('lobstr')) await lobstrPart(ctx, report);
    report.notes.push(
      `sizes: hunts ${sizes.join(', ')}; ads ${adCount}; retention ${simDays} days x ${perDay} ads (BENCH_SCALE_*)`,
    );
    return { sizes: { hunts: sizes.join(','), ads: adCount, simDays, simAdsPerDay: perDay }, ...report };
  },
};
