import type { Db, Trx } from '../../db/knex.js';
import type { AdNarrowing } from '../../domain/adNarrowing.js';
import type { Ad } from '../../domain/types.js';
import { narrowAds } from './narrowAds.js';
import { adColumns, adFromRow, type AdRow } from './adRow.js';

export interface AdFilter {
  scrapedSince: Date;
  /** Conditions every ad a hunt matches satisfies (a backfill); the exact rules are applied in memory afterwards. */
  narrowing?: AdNarrowing;
  /** Brands as written in the ads (those the hunt's brands accept), read by brand on the ads' index; undefined: any brand. */
  brands?: string[];
  /**
   * A hunt change's transaction (hunts.change_xid): only the ad versions written before that change
   * could be seen are read. A version written once it was committed (its write_horizon is past it,
   * migration 021) is matched against the changed hunt by the continuous matcher.
   */
  notSeenBy?: string;
}

/**
 * Streams ads scraped since a date, oldest first, in pages (keyset pagination on scraped_at, id),
 * so that catching up over a month of ads never holds them all in memory.
 */
export async function* streamAds(db: Db | Trx, filter: AdFilter, pageSize = 5000): AsyncGenerator<Ad[]> {
  let after: { scrapedAt: Date; id: string } | undefined;
  for (;;) {
    const q = db('ads').select(db.raw(adColumns())).where('scraped_at', '>=', filter.scrapedSince);
    if (filter.narrowing) narrowAds(q, filter.narrowing);
    if (filter.brands !== undefined) q.whereIn('brand', filter.brands);
    if (filter.notSeenBy !== undefined) q.whereRaw('write_horizon <= ?::xid8', [filter.notSeenBy]);
    if (after) q.whereRaw('(scraped_at, id) > (?, ?)', [after.scrapedAt, after.id]);
    const rows = (await q.orderBy([{ column: 'scraped_at' }, { column: 'id' }]).limit(pageSize)) as AdRow[];
    if (rows.length === 0) return;
    yield rows.map(adFromRow);
    const last = rows[rows.length - 1]!;
    after = { scrapedAt: last.scraped_at, id: last.id };
    if (rows.length < pageSize) return;
  }
}
