// The last step of a delivery attempt: the outcome, in the transaction of its event. Each update
// applies only to a message still pending, and says whether it did: an attempt whose lease expired
// meanwhile (another attempt settled the message) must add nothing.
import type { Trx } from '../db/knex.js';

export async function markMessageSent(trx: Trx, id: string, sent: { externalId: string | null; sentAt: Date; now: Date }): Promise<boolean> {
  const updated = await trx('messages')
    .where({ id, status: 'pending' })
    .update({ status: 'sent', external_id: sent.externalId, sent_at: sent.sentAt, locked_until: null, last_error: null, updated_at: sent.now });
  return updated > 0;
}

export async function scheduleMessageRetry(trx: Trx, id: string, retry: { at: Date; reason: string; now: Date }): Promise<void> {
  await trx('messages')
    .where({ id, status: 'pending' })
    .update({ next_attempt_at: retry.at, locked_until: null, last_error: retry.reason, updated_at: retry.now });
}

/**
 * Gives a message up. The seller was never reached, so the contacted ad is released (a later contact
 * stays possible) and the lead goes back to 'nouveau' with the reason message_failed.
 */
export async function failMessage(trx: Trx, message: { id: string; leadId: string }, failure: { reason: string; now: Date }): Promise<boolean> {
  const updated = await trx('messages')
    .where({ id: message.id, status: 'pending' })
    .update({ status: 'failed', last_error: failure.reason, failed_at: failure.now, locked_until: null, updated_at: failure.now });
  if (updated === 0) return false;
  await trx('contacted_ads').where({ message_id: message.id }).delete();
  await trx('leads')
    .where({ id: message.leadId, stage: 'contacte' })
    .update({ stage: 'nouveau', reason: 'message_failed', reason_detail: failure.reason, contacted_at: null, updated_at: failure.now });
  return true;
}
