import type { Trx } from '../../db/knex.js';
import type { ContactHours } from '../../domain/contactHours.js';

export interface Deliverable {
  id: string;
  accountId: string;
  channel: string;
  recipient: string;
  /** Its hunt's contact hours (null: any time), checked again at the call. */
  contactHours: ContactHours | null;
}

/**
 * Of `ids`, the messages that may be attempted now: pending, due (by the service's clock, which set the
 * due time: contact hours, retries, holds) and not leased by another attempt; with what the claim
 * checks at the moment of the call (the hunt's contact hours).
 */
export async function selectDeliverable(trx: Trx, ids: string[], now: Date): Promise<Deliverable[]> {
  if (ids.length === 0) return [];
  const rows = (await trx('messages as m')
    .join('hunts as h', 'h.id', 'm.hunt_id')
    .whereIn('m.id', ids)
    .where('m.status', 'pending')
    .where('m.next_attempt_at', '<=', now)
    .where((q) => q.whereNull('m.locked_until').orWhere('m.locked_until', '<', trx.fn.now()))
    .select('m.id', 'm.account_id', 'm.channel', 'm.recipient', 'h.contact_hours')) as Array<{
    id: string;
    account_id: string;
    channel: string;
    recipient: string;
    contact_hours: ContactHours | null;
  }>;
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .map((r) => ({
      id: r.id,
      accountId: r.account_id,
      channel: r.channel,
      recipient: r.recipient,
      contactHours: r.contact_hours,
    }));
}
