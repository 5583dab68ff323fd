import type { Trx } from '../../db/knex.js';

/** The key of an (account, ad) pair in the sets below. */
export const accountAdKey = (accountId: string, adId: string) => `${accountId}/${adId}`;

/**
 * Which (account, ad) pairs have a row already in `table`: a lead (leads), a live contact
 * (contacted_ads). Both tables are unique on (account_id, ad_id). Returns accountAdKey of each.
 */
export async function findAccountAdPairs(
  trx: Trx,
  table: 'leads' | 'contacted_ads',
  pairs: Array<{ accountId: string; adId: string }>,
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; ad_id: string }> }>(
    `SELECT t.account_id, t.ad_id FROM ${table} t JOIN unnest(?::uuid[], ?::uuid[]) AS p(account_id, ad_id) ON t.account_id = p.account_id AND t.ad_id = p.ad_id`,
    [pairs.map((p) => p.accountId), pairs.map((p) => p.adId)],
  );
  return new Set(rows.map((r) => accountAdKey(r.account_id, r.ad_id)));
}
