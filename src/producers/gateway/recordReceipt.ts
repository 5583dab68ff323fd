// A delivery receipt from a provider (the generic gateway, Twilio, Brevo): the message's delivery_status and delivered_at, and a
// MessageDelivered event, in one transaction. The same receipt twice changes nothing the second time
// (no second event). An undelivered receipt does not release the contact: the seller's number may be
// wrong, and no other channel is tried.
import type { Db } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import { findMessageForReceipt, recordDeliveryStatus, type DeliveryStatus } from '../../sql/recordDeliveryStatus.js';

export interface ReceiptDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
}

export interface Receipt {
  messageId?: string;
  externalId?: string;
  status: DeliveryStatus;
  at: Date;
  /** With undelivered: the provider's error code, when it gave one. */
  errorCode?: string | null;
  /** Who reports it (a receipt can overtake the sender's record of which provider sent the message). */
  provider?: string;
}

/** Returns the message id and whether the receipt changed anything; NotFoundError for an unknown message. */
export async function recordReceipt(
  deps: ReceiptDeps,
  receipt: Receipt,
): Promise<{ messageId: string; changed: boolean }> {
  return deps.db.transaction(async (trx) => {
    const message = await findMessageForReceipt(trx, receipt);
    if (!message)
      throw new NotFoundError(
        receipt.messageId ? `message ${receipt.messageId}` : `message with externalId ${receipt.externalId}`,
      );
    const changed = await recordDeliveryStatus(
      trx,
      message.id,
      receipt.status,
      receipt.at,
      deps.clock.now(),
      receipt.errorCode ?? null,
    );
    if (changed) {
      await deps.outbox.enqueue(trx, {
        eventType: 'MessageDelivered',
        key: message.account_id,
        cause:
          message.command_event_id && message.correlation_id
            ? { eventId: message.command_event_id, correlationId: message.correlation_id }
            : undefined,
        value: {
          messageId: message.id,
          accountId: message.account_id,
          leadId: message.lead_id,
          adId: message.ad_id,
          status: receipt.status === 'delivered' ? 'DELIVERED' : 'UNDELIVERED',
          at: receipt.at.getTime(),
          errorCode: receipt.status === 'undelivered' ? (receipt.errorCode ?? null) : null,
          provider: receipt.provider ?? message.provider,
        },
      });
    }
    return { messageId: message.id, changed };
  });
}
