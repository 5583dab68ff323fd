// Scenario P, the hunt preview: POST /v1/hunts/preview over HTTP against the api role, with
// 200,000 ads first published in the last 30 days, one request at a time (someone editing a hunt):
// latency for realistic hunts (the first active hunts of the generator: 20-150 km around a dealer,
// a brand, often a model, a year floor, a price ceiling) and, apart, for the rare broad hunts (all of
// France, bargain filters), which read far more rows. Each hunt's count is checked against the
// matching rules applied to every generated ad in memory, so the SQL prefilters lose nothing.
import { matchesHunt } from '../../src/domain/matchHunt.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { insertAds } from '../data/load.js';
import { TOKENS } from '../lib/benchEnv.js';
import { emptyReport } from '../lib/report.js';
import { Samples, summarize } from '../lib/stats.js';
import type { Scenario } from './context.js';

const DAY_MS = 86_400_000;
const DAYS = 30;
const TARGET_P95_MS = 200;

/** The preview body of a generated hunt (what someone editing it would send). */
export const bodyOf = (h: Hunt) => ({
  accountId: h.accountId,
  name: h.name,
  adType: h.adType,
  subTypes: h.subTypes,
  brands: h.brands,
  location: h.location,
  radiusKm: h.radiusKm,
  priceMin: h.priceMin,
  priceMax: h.priceMax,
  modelYearMin: h.modelYearMin,
  modelYearMax: h.modelYearMax,
  mileageMin: h.mileageMin,
  mileageMax: h.mileageMax,
  ownerTypes: h.ownerTypes,
  keywords: h.keywords,
  excludedKeywords: h.excludedKeywords,
  isUrgent: h.isUrgent,
  priceHasDropped: h.priceHasDropped,
  isLowPrice: h.isLowPrice,
  days: DAYS,
});

export const huntPreview: Scenario = {
  id: 'P',
  title: 'Hunt preview: POST /v1/hunts/preview with 200,000 ads in the window',
  async run(ctx) {
    const adCount = ctx.quick ? 5_000 : 200_000;
    const requests = ctx.quick ? 24 : 300;
    const broadRequests = ctx.quick ? 4 : 30;
    const { rows, checks, targets, notes } = emptyReport();

    // Every ad first published inside the window (a reposted ad's first publication can be older:
    // it is moved inside, half a day from the edge, so that the window holds exactly adCount ads).
    const edge = ctx.now.getTime() - (DAYS - 0.5) * DAY_MS;
    const ads: Ad[] = generateAds(ctx.seed + 9, adCount, {
      now: ctx.now,
      windowDays: DAYS - 1,
      externalIdBase: 9_000_000_000,
    }).map((a) =>
      a.firstPublishedAt !== null && a.firstPublishedAt < edge ? { ...a, firstPublishedAt: a.lastPublishedAt } : a,
    );
    const { hunts } = generateHunts(ctx.seed + 9, 2000, { now: ctx.now });
    const active = hunts.filter((h) => h.status === 'active');
    const realistic = active.filter((h) => h.radiusKm <= 150).slice(0, 16);
    const broad = active.filter((h) => h.radiusKm > 150).slice(0, 3);

    const database = await ctx.env.database('p', { poolMax: 4 });
    const loadStarted = Date.now();
    await insertAds(database.db, ads);
    await database.db.raw('VACUUM ANALYZE ads');
    ctx.log(`P: ${adCount} ads loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)}s`);
    const service = await ctx.env.startService(database.url, ctx.env.topics('p'), { ROLES: 'api' });

    const preview = async (h: Hunt) => {
      const t = performance.now();
      const res = await fetch(`${service.url}/v1/hunts/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(bodyOf(h)),
      });
      const body = (await res.json()) as { matchingAds: number; sample: unknown[] };
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`preview answered ${res.status}: ${JSON.stringify(body)}`);
      return { ms, matchingAds: body.matchingAds };
    };

    // The counts, checked against the rules over every ad (the window is ctx.now's: every ad is in it).
    const expected = (h: Hunt) => ads.filter((a) => matchesHunt(a, h)).length;
    let agree = 0;
    const counts: number[] = [];
    for (const h of [...realistic, ...broad]) {
      const got = (await preview(h)).matchingAds;
      counts.push(got);
      if (got === expected(h)) agree++;
    }
    checks.push({
      name: 'preview counts = the matching rules over every ad',
      ok: agree === realistic.length + broad.length,
      detail: `${agree}/${realistic.length + broad.length} hunts agree`,
    });

    const slowest: Array<{ hunt: Hunt; ms: number }> = [];
    const time = async (set: Hunt[], n: number) => {
      const samples = new Samples();
      const perHunt = set.map(() => new Samples());
      for (let i = 0; i < Math.min(set.length, 4); i++) await preview(set[i]!); // warm-up
      for (let i = 0; i < n; i++) {
        const { ms } = await preview(set[i % set.length]!);
        samples.push(ms);
        perHunt[i % set.length]!.push(ms);
      }
      set.forEach((hunt, i) => slowest.push({ hunt, ms: summarize(perHunt[i]!.values()).p50 }));
      return summarize(samples.values());
    };
    const realisticLatency = await time(realistic, requests);
    const broadLatency = broad.length > 0 ? await time(broad, broadRequests) : undefined;
    await ctx.env.stopService(service);

    const realisticCounts = counts.slice(0, realistic.length);
    rows.push({
      case: `preview, ${realistic.length} realistic hunts, ${adCount.toLocaleString('en')} ads`,
      throughput: { value: 1000 / realisticLatency.p50, unit: 'req/s' },
      latencyMs: realisticLatency,
      comparison: `one request at a time; ${Math.min(...realisticCounts)}-${Math.max(...realisticCounts)} matching ads per hunt`,
      details: {
        ads: adCount,
        hunts: realistic.length,
        requests,
        medianMatchingAds: [...realisticCounts].sort((a, b) => a - b)[Math.floor(realisticCounts.length / 2)] ?? 0,
      },
    });
    if (broadLatency) {
      rows.push({
        case: `preview, ${broad.length} broad hunts (all of France), ${adCount.toLocaleString('en')} ads`,
        throughput: { value: 1000 / broadLatency.p50, unit: 'req/s' },
        latencyMs: broadLatency,
        comparison: `${counts.slice(realistic.length).join(', ')} matching ads`,
        details: { ads: adCount, hunts: broad.length, requests: broadRequests },
      });
    }
    checks.push({
      name: 'P ran',
      ok: realisticLatency.count === requests,
      detail: `${realisticLatency.count} preview requests timed`,
    });
    if (!ctx.quick) {
      targets.push({
        name: 'preview p95, realistic hunts, 200,000 ads in the window',
        goal: `<= ${TARGET_P95_MS} ms`,
        measured: `${realisticLatency.p95.toFixed(1)} ms`,
        met: realisticLatency.p95 <= TARGET_P95_MS,
      });
    }
    const describe = (h: Hunt) =>
      `${h.adType} ${h.radiusKm} km${h.brands.length ? ` ${h.brands.join('/')}` : ''}${h.keywords.length ? ` "${h.keywords.join('", "')}"` : ''}${h.priceMax !== null ? ` <= ${h.priceMax} EUR` : ''}`;
    slowest.sort((a, b) => b.ms - a.ms);
    notes.push(
      `slowest hunts (p50): ${slowest
        .slice(0, 3)
        .map((s) => `${describe(s.hunt)}: ${s.ms.toFixed(0)} ms`)
        .join('; ')}`,
    );
    notes.push(
      `ads first published in the last ${DAYS} days; requests sequential, over HTTP, to an api role in the bench process`,
    );
    return { sizes: { ads: adCount, hunts: realistic.length + broad.length, requests }, rows, checks, targets, notes };
  },
};
