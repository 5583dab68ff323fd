import type { Trx } from '../db/knex.js';

export type DeliveryStatus = 'delivered' | 'undelivered';

export interface DeliveredMessage {
  id: string;
  account_id: string;
  lead_id: string;
  ad_id: string;
  command_event_id: string | null;
  correlation_id: string | null;
  provider: string | null;
}

/** The message a receipt names, by our id or by the gateway's (external) id; undefined when unknown. */
export async function findMessageForReceipt(
  trx: Trx,
  ref: { messageId?: string; externalId?: string },
): Promise<DeliveredMessage | undefined> {
  const q = trx('messages')
    .select('id', 'account_id', 'lead_id', 'ad_id', 'command_event_id', 'correlation_id', 'provider')
    .first();
  if (ref.messageId) q.where({ id: ref.messageId });
  else q.where({ external_id: ref.externalId });
  // The row lock orders two receipts of one message: the second sees what the first wrote.
  return (await q.forUpdate()) as DeliveredMessage | undefined;
}

/**
 * Sets the receipt on the message; false when it says nothing new (the same status again). A later,
 * different status replaces the earlier one. delivered_at is when the gateway says it was delivered.
 */
export async function recordDeliveryStatus(
  trx: Trx,
  id: string,
  status: DeliveryStatus,
  at: Date,
  now: Date,
  errorCode: string | null = null,
): Promise<boolean> {
  const changed = await trx('messages')
    .where({ id })
    .where((q) => q.whereNull('delivery_status').orWhereNot('delivery_status', status))
    .update({
      delivery_status: status,
      delivered_at: status === 'delivered' ? at : null,
      delivery_error: status === 'undelivered' ? errorCode : null,
      updated_at: now,
    });
  return changed > 0;
}
