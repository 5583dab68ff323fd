// Which message of ours a seller's reply answers: the newest sent to that phone, by the account whose
// number the reply reached when accounts have numbers of their own, else by any account (one shared
// number). A message not yet recorded sent counts (a seller may answer before the sender's record of
// the send commits); one given up never reached the seller and comes last. On the channel the reply
// came on first (a WhatsApp reply answers a WhatsApp message).
import type { Trx } from '../../db/knex.js';
import type { MessageRow } from '../messages/messageRow.js';

export type AnsweredMessage = Pick<
  MessageRow,
  'id' | 'account_id' | 'lead_id' | 'hunt_id' | 'ad_id' | 'channel' | 'command_event_id' | 'correlation_id'
>;

/** The account that sends from `to` (E.164, or whatsapp:+E.164), when one does. */
export async function accountOfNumber(trx: Trx, to: string): Promise<string | null> {
  const row = (await trx('account_sender_numbers').where({ number: to }).first('account_id')) as
    { account_id: string } | undefined;
  return row?.account_id ?? null;
}

export async function findAnsweredMessage(
  trx: Trx,
  request: { phone: string; accountId: string | null; channel: 'sms' | 'whatsapp' | null },
): Promise<AnsweredMessage | undefined> {
  const { rows } = await trx.raw<{ rows: AnsweredMessage[] }>(
    `SELECT id, account_id, lead_id, hunt_id, ad_id, channel, command_event_id, correlation_id
       FROM messages
      WHERE recipient = :phone AND channel IN ('sms', 'whatsapp') AND (:accountId::uuid IS NULL OR account_id = :accountId::uuid)
      ORDER BY (channel = coalesce(:channel, channel)) DESC, (status = 'failed'), created_at DESC, id DESC
      LIMIT 1`,
    { phone: request.phone, accountId: request.accountId, channel: request.channel },
  );
  return rows[0];
}

/** The message a provider says a reply answers (by our id or its own), when it went to that phone. */
export async function findMessageAnswered(
  trx: Trx,
  phone: string,
  ref: { messageId: string | null; externalId: string | null },
): Promise<AnsweredMessage | undefined> {
  if (!ref.messageId && !ref.externalId) return undefined;
  const q = trx('messages')
    .where({ recipient: phone })
    .first('id', 'account_id', 'lead_id', 'hunt_id', 'ad_id', 'channel', 'command_event_id', 'correlation_id');
  if (ref.messageId) q.where({ id: ref.messageId });
  else q.where({ external_id: ref.externalId });
  return (await q) as AnsweredMessage | undefined;
}

/** The lead's first and last reply times. */
export async function markLeadReplied(trx: Trx, leadId: string, at: Date, now: Date): Promise<void> {
  await trx('leads')
    .where({ id: leadId })
    .update({
      replied_at: trx.raw('coalesce(replied_at, ?::timestamptz)', [at]),
      last_reply_at: trx.raw('greatest(last_reply_at, ?::timestamptz)', [at]),
      updated_at: now,
    });
}
