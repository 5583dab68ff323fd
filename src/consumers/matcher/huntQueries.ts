// Reads of hunts and ads the matcher needs.
import type { Db, Trx } from '../../db/knex.js';
import { adFromRow, type AdRow } from '../../sql/rows/adRow.js';
import type { Ad, Hunt } from '../../domain/types.js';
import { huntFromRow, type HuntRow } from '../../sql/rows/huntRow.js';

const activeHunts = (db: Db | Trx) => db<HuntRow>('hunts').whereNull('deleted_at').where({ status: 'active' });

export async function loadActiveHunts(db: Db | Trx): Promise<Hunt[]> {
  return ((await activeHunts(db).orderBy([{ column: 'created_at' }, { column: 'id' }])) as HuntRow[]).map(huntFromRow);
}

export async function loadAccountActiveHunts(db: Db | Trx, accountId: string): Promise<Hunt[]> {
  return ((await activeHunts(db).where({ account_id: accountId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as HuntRow[]).map(huntFromRow);
}

/** The hunt as it is now, deleted or not (undefined if it never existed). */
export async function loadHunt(db: Db | Trx, id: string): Promise<(Hunt & { deleted: boolean }) | undefined> {
  const row = (await db<HuntRow & { deleted_at: Date | null }>('hunts').where({ id }).first()) as (HuntRow & { deleted_at: Date | null }) | undefined;
  return row ? { ...huntFromRow(row), deleted: row.deleted_at !== null } : undefined;
}

export interface AdFilter {
  adType?: string;
  scrapedSince: Date;
  /** Coarse pre-filters; the exact rules are applied in memory afterwards. */
  box?: { minLat: number; maxLat: number; minLng: number; maxLng: number };
  zipcode?: string;
  priceMin?: number | null;
  priceMax?: number | null;
}

/**
 * Streams ads scraped since a date, oldest first, in pages (keyset pagination on scraped_at, id),
 * so that catching up over a month of ads never holds them all in memory.
 */
export async function* streamAds(db: Db | Trx, filter: AdFilter, pageSize = 5000): AsyncGenerator<Ad[]> {
  let after: { scrapedAt: Date; id: string } | undefined;
  for (;;) {
    const q = db<AdRow>('ads').where('scraped_at', '>=', filter.scrapedSince);
    if (filter.adType) q.where('ad_type', filter.adType);
    if (filter.zipcode) q.where('zipcode', filter.zipcode);
    if (filter.box) q.whereBetween('lat', [filter.box.minLat, filter.box.maxLat]).whereBetween('lng', [filter.box.minLng, filter.box.maxLng]);
    if (filter.priceMin !== undefined && filter.priceMin !== null) q.where('price', '>=', filter.priceMin);
    if (filter.priceMax !== undefined && filter.priceMax !== null) q.where('price', '<=', filter.priceMax);
    if (after) q.whereRaw('(scraped_at, id) > (?, ?)', [after.scrapedAt, after.id]);
    const rows = (await q.orderBy([{ column: 'scraped_at' }, { column: 'id' }]).limit(pageSize)) as AdRow[];
    if (rows.length === 0) return;
    yield rows.map(adFromRow);
    const last = rows[rows.length - 1]!;
    after = { scrapedAt: last.scraped_at, id: last.id };
    if (rows.length < pageSize) return;
  }
}

/**
 * The latitude/longitude box that contains a hunt's circle on the sphere, slightly enlarged, for the
 * SQL pre-filter (radius 0 is filtered by zipcode instead). The exact distance is checked in memory.
 */
export function boundingBox(lat: number, lng: number, radiusKm: number) {
  const EARTH_RADIUS_KM = 6371.0088;
  const delta = (radiusKm / EARTH_RADIUS_KM) * 1.001;
  const dLat = (delta * 180) / Math.PI;
  const cosLat = Math.cos((lat * Math.PI) / 180);
  const dLng = Math.sin(delta) >= cosLat ? 180 : (Math.asin(Math.sin(delta) / cosLat) * 180) / Math.PI;
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng };
}
