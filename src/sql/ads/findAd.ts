import type { Db } from '../../db/knex.js';
import type { Ad } from '../../domain/types.js';
import { adColumns, adFromRow, type AdRow } from './adRow.js';

/** One ad, by its id or by its LeBonCoin listing id (source `leboncoin`); undefined if unknown. */
export async function findAd(db: Db, by: { adId: string } | { externalId: string }): Promise<Ad | undefined> {
  const q = db('ads').first(db.raw(adColumns()));
  if ('adId' in by) q.where({ id: by.adId });
  else q.where({ source: 'leboncoin', external_id: by.externalId });
  const row = (await q) as AdRow | undefined;
  return row ? adFromRow(row) : undefined;
}
