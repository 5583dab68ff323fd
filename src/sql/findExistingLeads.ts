import type { Trx } from '../db/knex.js';
import { contactKey } from './findContactedAds.js';

/** Which (account, ad) pairs have a lead already (contactKey of each). */
export async function findExistingLeads(trx: Trx, pairs: Array<{ accountId: string; adId: string }>): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; ad_id: string }> }>(
    `SELECT l.account_id, l.ad_id FROM leads l JOIN unnest(?::uuid[], ?::uuid[]) AS p(account_id, ad_id) ON l.account_id = p.account_id AND l.ad_id = p.ad_id`,
    [pairs.map((p) => p.accountId), pairs.map((p) => p.adId)],
  );
  return new Set(rows.map((r) => contactKey(r.account_id, r.ad_id)));
}
