// Baseline of scenario B, the original approach to the daily catch-up: one SQL query per hunt (the
// database does the matching), 5 hunts in flight, each hunt's leads recorded in a transaction of its
// own with the same recordMatches as the service (so both write exactly the same rows and events).
//
// Written as well as we could: ads get pre-normalised columns (brand, sub-type, title + description,
// the way src/domain/normalize.ts does it, as a real implementation would store them at ingestion),
// GiST indexes on (ad type, brand, position) and (ad type, position) with btree_gist, a b-tree on
// (ad type, zipcode), and a statement that carries only the criteria the hunt sets.
// Attribution (docs/ARCHITECTURE.md section 2): an ad goes to the account's oldest matching hunt; a hunt skips
// the ads that an older hunt of its account (among the hunts of the catch-up) also matches.
import { HARNESS_OUTREACH } from '../../testkit/serviceEnv.js';
import pLimit from 'p-limit';
import { v7 as uuidv7 } from 'uuid';
import { boundingBox } from '../../src/domain/geo.js';
import { loadActiveHunts } from '../../src/sql/hunts/loadActiveHunts.js';
import { recordDepsOf, recordMatches, type MatchToRecord } from '../../src/consumers/matcher/recordMatches.js';
import { adColumns, adFromRow, type AdRow } from '../../src/sql/ads/adRow.js';
import type { Db } from '../../src/db/knex.js';
import { byAge } from '../../src/domain/huntIndex.js';
import { compileHunt, prepareAd, type CompiledHunt } from '../../src/domain/compiledHunt.js';
import { matchesCompiled } from '../../src/domain/matchHunt.js';
import { normalizeBrand, normalizeText } from '../../src/domain/normalize.js';
import type { Ad } from '../../src/domain/types.js';
import type { Outbox } from '../../src/outbox/enqueue.js';
import { Samples, summarize } from '../lib/stats.js';

/** Normalised columns and indexes for the baseline (setup, not timed). */
export async function prepareBaselineDatabase(db: Db, ads: Ad[]) {
  await db.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await db.raw('ALTER TABLE ads ADD COLUMN brand_norm text, ADD COLUMN sub_type_norm text, ADD COLUMN text_norm text');
  for (let i = 0; i < ads.length; i += 5000) {
    const chunk = ads.slice(i, i + 5000).map((a) => ({
      id: a.adId,
      brand_norm: a.brand ? normalizeBrand(a.brand) : null,
      sub_type_norm: a.subType ? normalizeText(a.subType) : null,
      text_norm: ` ${normalizeText(`${a.title} ${a.description}`)} `,
    }));
    await db.raw(
      `UPDATE ads SET brand_norm = x.brand_norm, sub_type_norm = x.sub_type_norm, text_norm = x.text_norm
         FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, brand_norm text, sub_type_norm text, text_norm text) WHERE ads.id = x.id`,
      [JSON.stringify(chunk)],
    );
  }
  await db.raw(`
    CREATE INDEX ads_bench_brand_position_idx ON ads USING gist (ad_type, brand_norm, point(lng, lat)) WHERE lat IS NOT NULL;
    CREATE INDEX ads_bench_position_idx ON ads USING gist (ad_type, point(lng, lat)) WHERE lat IS NOT NULL;
    CREATE INDEX ads_bench_zipcode_idx ON ads (ad_type, zipcode);
  `);
  await db.raw('VACUUM ANALYZE ads');
}

/** The matcher settings the baseline records with (the harness services' own). */
const BASELINE_SETTINGS = { timeZone: 'Europe/Paris', contactCooldownDays: 90, outreach: HARNESS_OUTREACH };

const RAD = '0.017453292519943295';

/** What adFromRow reads (not the baseline's extra columns). */
const AD_COLUMNS = adColumns(undefined, 'a');

/** The statement that finds one hunt's ads: only the criteria the hunt sets, all of docs/ARCHITECTURE.md section 2. */
export function huntQuery(h: CompiledHunt, since: Date): { sql: string; bindings: unknown[] } {
  const where: string[] = ['a.ad_type = ?', 'a.scraped_at >= ?'];
  const b: unknown[] = [h.adType, since];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    b.push(...values);
  };
  if (h.brands) {
    if (h.brands.size === 1) add('a.brand_norm = ?', [...h.brands][0]);
    else add('a.brand_norm = ANY(?::text[])', [...h.brands]);
  }
  if (h.radiusKm === 0) add('a.zipcode = ?', h.zipcode);
  else {
    const box = boundingBox(h.lat, h.lng, h.radiusKm);
    add(
      'a.lat IS NOT NULL AND point(a.lng, a.lat) <@ box(point(?, ?), point(?, ?))',
      box.minLng,
      box.minLat,
      box.maxLng,
      box.maxLat,
    );
    // The same haversine term as src/domain/geo.ts, with the same operations in the same order.
    add(
      `sin((a.lat * ${RAD} - ?) / 2) * sin((a.lat * ${RAD} - ?) / 2)
       + ? * cos(a.lat * ${RAD}) * sin((a.lng * ${RAD} - ?) / 2) * sin((a.lng * ${RAD} - ?) / 2) <= ?`,
      h.latRad,
      h.latRad,
      h.cosLat,
      h.lngRad,
      h.lngRad,
      h.maxTerm,
    );
  }
  if (h.priceMin !== null) add('a.price >= ?', h.priceMin);
  if (h.priceMax !== null) add('a.price <= ?', h.priceMax);
  if (h.yearMin !== null) add('a.model_year >= ?', h.yearMin);
  if (h.yearMax !== null) add('a.model_year <= ?', h.yearMax);
  if (h.mileageMin !== null) add('a.mileage_km >= ?', h.mileageMin);
  if (h.mileageMax !== null) add('a.mileage_km <= ?', h.mileageMax);
  if (h.subTypes) add('a.sub_type_norm = ANY(?::text[])', [...h.subTypes]);
  if (h.ownerTypes) add('a.owner_type = ANY(?::text[])', [...h.ownerTypes]);
  const flags: Array<[keyof CompiledHunt['hunt'], string]> = [
    ['isUrgent', 'is_urgent'],
    ['hasBeenReposted', 'has_been_reposted'],
    ['priceHasDropped', 'price_has_dropped'],
    ['hasBeenBoosted', 'has_been_boosted'],
    ['isLowPrice', 'is_low_price'],
  ];
  for (const [flag, column] of flags) if (h.hunt[flag] === true) where.push(`a.${column}`);
  for (const k of h.keywords) add('a.text_norm LIKE ?', `%${k}%`);
  for (const k of h.excluded) add('a.text_norm NOT LIKE ?', `%${k}%`);
  return {
    sql: `SELECT ${AD_COLUMNS} FROM ads a WHERE ${where.join(' AND ')} ORDER BY a.scraped_at, a.id`,
    bindings: b,
  };
}

export interface PerHuntResult {
  seconds: number;
  leads: number;
  contacted: number;
  queryLatency: ReturnType<typeof summarize>;
  huntLatency: ReturnType<typeof summarize>;
}

export async function catchUpPerHunt(
  db: Db,
  deps: {
    outbox: Outbox;
    now: Date;
    pacingDay: string;
    backfillDays: number;
    concurrency: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<PerHuntResult> {
  const started = performance.now();
  // The hunts the service's catch-up takes (active, autoRefresh), oldest first.
  const hunts = (await loadActiveHunts(db))
    .filter((h) => h.autoRefresh)
    .map(compileHunt)
    .sort(byAge);
  const byAccount = new Map<string, CompiledHunt[]>();
  for (const h of hunts) {
    const list = byAccount.get(h.hunt.accountId);
    if (list) list.push(h);
    else byAccount.set(h.hunt.accountId, [h]);
  }
  const since = new Date(deps.now.getTime() - deps.backfillDays * 86_400_000);
  const cause = (() => {
    const id = uuidv7();
    return { eventId: id, correlationId: id };
  })();
  const limit = pLimit(deps.concurrency);
  const querySamples = new Samples();
  const huntSamples = new Samples();
  let leads = 0;
  let contacted = 0;
  let done = 0;
  await Promise.all(
    hunts.map((h) =>
      limit(async () => {
        const t = performance.now();
        const { sql, bindings } = huntQuery(h, since);
        const rows = (await db.raw<{ rows: AdRow[] }>(sql, bindings as never[])).rows;
        querySamples.push(performance.now() - t);
        const older = byAccount.get(h.hunt.accountId)!.filter((o) => byAge(o, h) < 0);
        const matches: MatchToRecord[] = [];
        for (const row of rows) {
          const ad = adFromRow(row);
          if (older.length > 0) {
            const p = prepareAd(ad);
            if (older.some((o) => matchesCompiled(p, o))) continue; // the older hunt creates it
          }
          matches.push({ hunt: h.hunt, ad, cause });
        }
        await db.transaction(async (trx) => {
          if (matches.length > 0) {
            const r = await recordMatches(
              trx,
              recordDepsOf({ outbox: deps.outbox, settings: BASELINE_SETTINGS }, deps.now, {
                pacingDay: deps.pacingDay,
              }),
              matches,
            );
            leads += r.leadsCreated;
            contacted += r.contacted;
          }
          await trx('hunts').where({ id: h.id }).update({ last_scan_at: deps.now });
        });
        huntSamples.push(performance.now() - t);
        if (++done % 500 === 0) deps.onProgress?.(done, hunts.length);
      }),
    ),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    leads,
    contacted,
    queryLatency: summarize(querySamples.values()),
    huntLatency: summarize(huntSamples.values()),
  };
}
