import type { Trx } from '../../db/knex.js';
import type { MessageRow } from './messageRow.js';

/**
 * Cancels the pending messages to `phone` (an opt-out): each becomes failed with last_error
 * 'opted_out', its contacted ad is released and its lead goes back to 'nouveau' with reason
 * 'opted_out'. A message leased by a sender at this moment is left to it: that sender reads the
 * opt-out just before calling its provider and gives the message up itself
 * (src/consumers/sender/optOutGuard.ts), or its call was already under way.
 * Returns the messages cancelled.
 */
export async function cancelMessagesTo(trx: Trx, phone: string, now: Date): Promise<MessageRow[]> {
  const { rows } = await trx.raw<{ rows: MessageRow[] }>(
    `UPDATE messages SET status = 'failed', last_error = 'opted_out', failed_at = :now::timestamptz, locked_until = NULL, updated_at = :now::timestamptz
      WHERE recipient = :phone AND status = 'pending' AND channel IN ('sms', 'whatsapp')
        AND (locked_until IS NULL OR locked_until < :now::timestamptz)
      RETURNING *`,
    { phone, now },
  );
  if (rows.length === 0) return [];
  await trx('contacted_ads')
    .whereIn(
      'message_id',
      rows.map((r) => r.id),
    )
    .delete();
  await trx('leads')
    .whereIn(
      'id',
      rows.map((r) => r.lead_id),
    )
    .where({ stage: 'contacte' })
    .update({ stage: 'nouveau', reason: 'opted_out', reason_detail: null, contacted_at: null, updated_at: now });
  return rows;
}
