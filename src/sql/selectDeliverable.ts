import type { Trx } from '../db/knex.js';

/**
 * Of `ids`, the messages that may be attempted now: pending, due (by the service's clock, which set the
 * due time: contact hours, retries) and not leased by another attempt.
 */
export async function selectDeliverable(
  trx: Trx,
  ids: string[],
  now: Date,
): Promise<Array<{ id: string; accountId: string }>> {
  if (ids.length === 0) return [];
  const rows = (await trx('messages')
    .whereIn('id', ids)
    .where({ status: 'pending' })
    .where('next_attempt_at', '<=', now)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', trx.fn.now()))
    .select('id', 'account_id')) as Array<{ id: string; account_id: string }>;
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!).map((r) => ({ id: r.id, accountId: r.account_id }));
}
