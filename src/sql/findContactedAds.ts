import type { Trx } from '../db/knex.js';

export const contactKey = (accountId: string, adId: string) => `${accountId}/${adId}`;

/** Which (account, ad) pairs have a contacted ad already (contactKey of each). */
export async function findContactedAds(trx: Trx, pairs: Array<{ accountId: string; adId: string }>): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; ad_id: string }> }>(
    `SELECT c.account_id, c.ad_id FROM contacted_ads c JOIN unnest(?::uuid[], ?::uuid[]) AS p(account_id, ad_id) ON c.account_id = p.account_id AND c.ad_id = p.ad_id`,
    [pairs.map((p) => p.accountId), pairs.map((p) => p.adId)],
  );
  return new Set(rows.map((r) => contactKey(r.account_id, r.ad_id)));
}
