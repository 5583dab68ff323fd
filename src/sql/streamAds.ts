import type { Db, Trx } from '../db/knex.js';
import type { LatLngBox } from '../domain/geo.js';
import type { Ad } from '../domain/types.js';
import { adFromRow, type AdRow } from './rows/adRow.js';

export interface AdFilter {
  adType?: string;
  scrapedSince: Date;
  /** Coarse pre-filters; the exact rules are applied in memory afterwards. */
  box?: LatLngBox;
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
