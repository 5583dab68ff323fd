// Scenario A, the matching core: ads per second matched against 1k, 10k and 100k active hunts by the
// hunt index (src/domain/huntIndex.ts), by a linear scan over every hunt (linearScan, the reference),
// and by one indexed PostgreSQL query per ad (bench/baselines/sqlMatchAd.ts). JavaScript runs on one
// core (the event loop); PostgreSQL answers on the other. Index and linear scan are checked to give
// the same hunts, in the same order, on a sample of ads; the SQL baseline too.
import pg from 'pg';
import { createHuntIndex, linearScan, type HuntIndex } from '../../src/domain/huntIndex.js';
import { prepareAd } from '../../src/domain/compiledHunt.js';
import type { Ad } from '../../src/domain/types.js';
import { createMatchTable, createSqlMatcher, insertMatchRows } from '../baselines/sqlMatchAd.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { gcAvailable, heapAfterGc, trackMemory } from '../lib/memory.js';
import { emptyReport } from '../lib/report.js';
import { Samples, summarize } from '../lib/stats.js';
import { times, type Scenario } from './context.js';

interface Timed {
  count: number;
  seconds: number;
  latency: ReturnType<typeof summarize>;
  matches: number;
}

/** Calls `fn` on ads in turn (cycling) until `minMs` passed and at least `minCount` ran, or `maxCount`. */
function timeSync(
  ads: Ad[],
  fn: (ad: Ad) => number,
  o: { minMs: number; minCount: number; maxCount: number; sample: () => void },
): Timed {
  const samples = new Samples();
  let matches = 0;
  let i = 0;
  const started = performance.now();
  let now = started;
  while ((now - started < o.minMs || i < o.minCount) && i < o.maxCount) {
    const t = performance.now();
    matches += fn(ads[i % ads.length]!);
    now = performance.now();
    samples.push(now - t);
    i++;
    if ((i & 4095) === 0) o.sample();
  }
  return { count: i, seconds: (now - started) / 1000, latency: summarize(samples.values()), matches };
}

async function timeAsync(
  ads: Ad[],
  clients: number,
  fn: (client: number, ad: Ad) => Promise<number>,
  o: { minMs: number; maxCount: number },
): Promise<Timed> {
  const samples = new Samples();
  let matches = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (next < o.maxCount && performance.now() - started < o.minMs) {
        const ad = ads[next++ % ads.length]!;
        const t = performance.now();
        matches += await fn(c, ad);
        samples.push(performance.now() - t);
      }
    }),
  );
  return {
    count: samples.length,
    seconds: (performance.now() - started) / 1000,
    latency: summarize(samples.values()),
    matches,
  };
}

const ids = (list: Array<{ id: string }>) => list.map((h) => h.id).join(',');

export const matchingCore: Scenario = {
  id: 'A',
  title: 'Matching core: hunt index vs linear scan vs one SQL query per ad',
  async run(ctx) {
    const { quick } = ctx;
    const sizes = quick ? [200, 1000] : [1000, 10_000, 100_000];
    const adCount = quick ? 1000 : 20_000;
    const budget = quick ? { index: 150, linear: 100, sql: 200 } : { index: 3000, linear: 2000, sql: 3000 };
    const verifyCount = quick ? 200 : 500;
    const { rows, checks, targets, notes } = emptyReport();
    if (!gcAvailable()) notes.push('run without --expose-gc: heap figures include garbage');

    const ads = generateAds(ctx.seed, adCount, { now: ctx.now, windowDays: 1, externalIdBase: 3_000_000_000 });
    const heapBefore = heapAfterGc();
    const { hunts } = generateHunts(ctx.seed, sizes[sizes.length - 1]!, { now: ctx.now });
    const huntsHeapMb = heapAfterGc() - heapBefore;

    const database = await ctx.env.database('a');
    await createMatchTable(database.db);
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const c = new pg.Client({ connectionString: database.url, application_name: 'bench:a:sql' });
        await c.connect();
        return c;
      }),
    );
    ctx.env.onCleanup(() => Promise.all(clients.map((c) => c.end())));
    const sqlMatchers = clients.map(createSqlMatcher);
    const sqlMatch = sqlMatchers[0]!;

    let loaded = 0;
    for (const size of sizes) {
      const slice = hunts.slice(0, size);
      const active = slice.filter((h) => h.status === 'active').length;
      const label = size >= 1000 ? `${size / 1000}k` : String(size);
      ctx.log(`A: ${label} hunts (${active} active)`);

      // The index, and what it costs beyond the hunts themselves.
      const memory = trackMemory();
      const beforeIndex = heapAfterGc();
      const buildStarted = performance.now();
      let index: HuntIndex | undefined = createHuntIndex();
      for (const h of slice) index.upsert(h);
      const buildMs = performance.now() - buildStarted;
      const indexHeapMb = heapAfterGc() - beforeIndex;
      memory.sample();
      const warm = Math.min(ads.length, 2000);
      for (let i = 0; i < warm; i++) index.match(ads[i]!);
      const idx = index;
      const indexed = timeSync(ads, (ad) => idx.match(ad).length, {
        minMs: budget.index,
        minCount: Math.min(ads.length, 5000),
        maxCount: 5_000_000,
        sample: memory.sample,
      });

      const compiled = index.all();
      const linear = timeSync(ads, (ad) => linearScan(compiled, ad).length, {
        minMs: budget.linear,
        minCount: 50,
        maxCount: 200_000,
        sample: memory.sample,
      });

      let differ = 0;
      for (const ad of ads.slice(0, verifyCount)) if (ids(index.match(ad)) !== ids(linearScan(compiled, ad))) differ++;
      checks.push({
        name: `index = linear scan (${label} hunts)`,
        ok: differ === 0,
        detail: `${verifyCount - differ}/${verifyCount} ads give the same hunts in the same order`,
      });

      // The SQL baseline, on the same hunts.
      await insertMatchRows(database.db, slice.slice(loaded));
      loaded = size;
      const prepared = new Map<Ad, ReturnType<typeof prepareAd>>();
      const prep = (ad: Ad) => {
        let p = prepared.get(ad);
        if (!p) prepared.set(ad, (p = prepareAd(ad)));
        return p;
      };
      for (const ad of ads.slice(0, 50)) await sqlMatch(prep(ad)); // prepares the statements, warms the cache
      const sql1 = await timeAsync(ads, 1, async (_, ad) => (await sqlMatch(prep(ad))).length, {
        minMs: budget.sql,
        maxCount: 100_000,
      });
      const sql4 = await timeAsync(ads, 4, async (c, ad) => (await sqlMatchers[c]!(prep(ad))).length, {
        minMs: budget.sql,
        maxCount: 100_000,
      });
      let sqlDiffer = 0;
      const sqlVerify = Math.min(verifyCount, 200);
      for (const ad of ads.slice(0, sqlVerify)) {
        if ((await sqlMatch(prep(ad))).join(',') !== ids(index.match(ad))) sqlDiffer++;
      }
      checks.push({
        name: `SQL baseline = index (${label} hunts)`,
        ok: sqlDiffer === 0,
        detail: `${sqlVerify - sqlDiffer}/${sqlVerify} ads give the same hunts in the same order`,
      });
      const peak = memory.stop();

      const rate = (t: Timed) => t.count / t.seconds;
      const indexRate = rate(indexed);
      checks.push({
        name: `A ran (${label} hunts)`,
        ok: indexed.count > 0 && linear.count > 0 && sql1.count > 0,
        detail: `${indexed.count} / ${linear.count} / ${sql1.count} ads timed (index / linear / SQL)`,
      });
      rows.push({
        case: `hunt index, ${label} hunts`,
        throughput: { value: indexRate, unit: 'ads/s' },
        latencyMs: indexed.latency,
        peakRssMb: peak.peakRssMb,
        comparison: `${times(indexRate, rate(linear))} linear, ${times(indexRate, rate(sql1))} SQL`,
        details: {
          hunts: size,
          activeHunts: active,
          matchesPerAd: indexed.matches / indexed.count,
          buildMs,
          indexHeapMb,
          huntsHeapMb: (huntsHeapMb * size) / hunts.length,
        },
      });
      rows.push({
        case: `linear scan, ${label} hunts`,
        throughput: { value: rate(linear), unit: 'ads/s' },
        latencyMs: linear.latency,
        details: { ads: linear.count },
      });
      rows.push({
        case: `SQL query per ad, ${label} hunts`,
        throughput: { value: rate(sql1), unit: 'ads/s' },
        latencyMs: sql1.latency,
        details: { ads: sql1.count },
      });
      rows.push({
        case: `SQL query per ad x4 clients, ${label}`,
        throughput: { value: rate(sql4), unit: 'ads/s' },
        latencyMs: sql4.latency,
        details: { ads: sql4.count },
      });

      if (!quick && size === 100_000) {
        targets.push({
          name: 'index throughput, 100k hunts, one core',
          goal: '>= 50,000 ads/s',
          measured: `${Math.round(indexRate).toLocaleString('en-US')} ads/s`,
          met: indexRate >= 50_000,
        });
        targets.push({
          name: 'index vs linear scan, 100k hunts',
          goal: '>= 100x',
          measured: times(indexRate, rate(linear)),
          met: indexRate >= 100 * rate(linear),
        });
        const total = indexHeapMb + huntsHeapMb;
        targets.push({
          name: 'matcher memory for 100k hunts (hunts + index, heap after GC)',
          goal: '< 200 MB',
          measured: `${total.toFixed(0)} MB (hunts ${huntsHeapMb.toFixed(0)} + index ${indexHeapMb.toFixed(0)})`,
          met: total < 200,
        });
      }
      index = undefined;
    }
    notes.push(
      `${adCount.toLocaleString('en-US')} generated ads cycled; index timed for ${budget.index} ms or more per size, linear scan ${budget.linear} ms, SQL ${budget.sql} ms each (sequential, then 4 clients).`,
    );
    notes.push(
      `Hunt objects for ${hunts.length.toLocaleString('en-US')} hunts: ${huntsHeapMb.toFixed(0)} MB of heap; the index's own heap per size is in details.indexHeapMb.`,
    );
    return { sizes: { hunts: sizes.join('/'), ads: adCount }, rows, checks, targets, notes };
  },
};
