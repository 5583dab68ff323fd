import type { Trx } from '../../db/knex.js';
import { sellerKey } from '../../domain/contactDecision.js';

/**
 * Which (account, phone) pairs the accounts messaged within the cooldown with a message that did not
 * fail (sellerKey of each). A read without locks: claimSellers settles the race at write time.
 */
export async function findSellerContacts(
  trx: Trx,
  pairs: Array<{ accountId: string; phone: string }>,
  options: { now: Date; cooldownDays: number },
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; phone: string }> }>(
    `SELECT s.account_id, s.phone
       FROM seller_contacts s
       JOIN unnest(?::uuid[], ?::text[]) AS p(account_id, phone) ON s.account_id = p.account_id AND s.phone = p.phone
      WHERE s.contacted_at > ?::timestamptz - make_interval(days => ?)
        AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = s.message_id AND m.status = 'failed')`,
    [pairs.map((p) => p.accountId), pairs.map((p) => p.phone), options.now, options.cooldownDays],
  );
  return new Set(rows.map((r) => sellerKey(r.account_id, r.phone)));
}
