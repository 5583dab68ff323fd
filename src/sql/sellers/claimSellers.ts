import type { Trx } from '../../db/knex.js';
import { sellerKey } from '../../domain/contactDecision.js';

/**
 * Records the contact of each (account, phone) pair with its message, where the pair is free: never
 * contacted, contacted before the cooldown, or by a message that failed. Returns the pairs claimed
 * (sellerKey of each); a pair missing from the answer was taken by another transaction.
 *
 * This is the serialisation point for one seller: two transactions claiming the same pair meet on the
 * unique (account_id, phone) row. The second waits for the first to end; if the first committed, the
 * ON CONFLICT ... WHERE sees its fresh contact and updates nothing, so the second claims nothing and
 * rolls back (the matcher then decides again and finds already_contacted); if it rolled back, the
 * second inserts.
 */
export async function claimSellers(
  trx: Trx,
  claims: Array<{ accountId: string; phone: string; messageId: string }>,
  options: { now: Date; cooldownDays: number },
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  // Sorted, so that two batches lock their rows in the same order.
  const sorted = [...claims].sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.phone, b.phone));
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; phone: string }> }>(
    `INSERT INTO seller_contacts AS s (account_id, phone, message_id, contacted_at)
     SELECT c.account_id, c.phone, c.message_id, :now::timestamptz
       FROM unnest(:accounts::uuid[], :phones::text[], :messages::uuid[]) WITH ORDINALITY AS c(account_id, phone, message_id, n)
      ORDER BY c.n
     ON CONFLICT (account_id, phone) DO UPDATE SET message_id = excluded.message_id, contacted_at = excluded.contacted_at
      WHERE s.contacted_at <= :now::timestamptz - make_interval(days => :days)
         OR EXISTS (SELECT 1 FROM messages m WHERE m.id = s.message_id AND m.status = 'failed')
     RETURNING s.account_id, s.phone`,
    {
      now: options.now,
      days: options.cooldownDays,
      accounts: sorted.map((c) => c.accountId),
      phones: sorted.map((c) => c.phone),
      messages: sorted.map((c) => c.messageId),
    },
  );
  return new Set(rows.map((r) => sellerKey(r.account_id, r.phone)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
