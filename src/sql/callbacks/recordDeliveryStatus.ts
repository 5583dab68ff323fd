import type { Trx } from '../../db/knex.js';
import type { MessageRow } from '../messages/messageRow.js';

export type DeliveryStatus = 'delivered' | 'undelivered';

export interface DeliveredMessage extends Pick<
  MessageRow,
  | 'id'
  | 'account_id'
  | 'lead_id'
  | 'hunt_id'
  | 'ad_id'
  | 'channel'
  | 'recipient'
  | 'content'
  | 'attempts'
  | 'status'
  | 'command_event_id'
  | 'correlation_id'
> {
  external_id: string | null;
  previous_external_id: string | null;
  delivery_status: DeliveryStatus | null;
  retried_unreachable: boolean;
  sender: string | null;
  provider: string | null;
}

/** The message a receipt names, by our id or by the provider's (external) id; undefined when unknown. */
export async function findMessageForReceipt(
  trx: Trx,
  ref: { messageId?: string; externalId?: string },
): Promise<DeliveredMessage | undefined> {
  const q = trx('messages')
    .select(
      'id',
      'account_id',
      'lead_id',
      'hunt_id',
      'ad_id',
      'channel',
      'recipient',
      'content',
      'attempts',
      'status',
      'external_id',
      'previous_external_id',
      'delivery_status',
      'retried_unreachable',
      'sender',
      'command_event_id',
      'correlation_id',
      'provider',
    )
    .first();
  if (ref.messageId) q.where({ id: ref.messageId });
  else q.where((w) => w.where({ external_id: ref.externalId }).orWhere({ previous_external_id: ref.externalId }));
  // The row lock orders two receipts of one message: the second sees what the first wrote.
  return (await q.forUpdate()) as DeliveredMessage | undefined;
}

/**
 * Sets the receipt on the message, once: the first final status of an attempt is the truth about it
 * (a "delivered" after an "undelivered", or the same status again, changes nothing). delivered_at is
 * when the provider says it was delivered. Returns whether it was set.
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
    .whereNull('delivery_status')
    .update({
      delivery_status: status,
      delivered_at: status === 'delivered' ? at : null,
      delivery_error: status === 'undelivered' ? errorCode : null,
      receipt_check_at: null,
      updated_at: now,
    });
  return changed > 0;
}
