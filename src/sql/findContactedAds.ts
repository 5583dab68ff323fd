import type { Trx } from '../db/knex.js';

export const contactKey = (accountId: string, adId: string) => `${accountId}/${adId}`;

/** Which (account, ad) pairs have a contacted ad already (contactKey of each). */
export async function findContactedAds(trx: Trx, pairs: Array<{ accountId: string; adId: string }>): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await trx('contacted_ads')
    .whereIn(
      ['account_id', 'ad_id'],
      pairs.map((p) => [p.accountId, p.adId]),
    )
    .select<Array<{ account_id: string; ad_id: string }>>('account_id', 'ad_id');
  return new Set(rows.map((r) => contactKey(r.account_id, r.ad_id)));
}
