// A message a seller sent us, in one transaction: the inbound row (the same provider id twice is one
// row: the second post changes nothing), then what it means.
//  - STOP: the phone opted out for every account (its pending messages cancelled, MessageFailed each);
//  - START: the opt-out lifted;
//  - anything else is a reply: joined to the message it answers (src/sql/callbacks/findAnsweredMessage.ts),
//    the lead's repliedAt / lastReplyAt set (its stage stays the dealer's), and SellerReplied on
//    messages.replied, in the chain of the message it answers. A reply no message explains is kept,
//    unmatched, for operators, and publishes nothing.
import type { Db, Trx } from '../../db/knex.js';
import { messageFailedEvent, sellerRepliedEvent } from '../../events/messageEvents.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import type { ProviderCallback, ProviderName } from '../../providers/provider.js';
import {
  accountOfNumber,
  findAnsweredMessage,
  findMessageAnswered,
  markLeadReplied,
  type AnsweredMessage,
} from '../../sql/callbacks/findAnsweredMessage.js';
import { attachInbound, insertInbound, type InboundKind } from '../../sql/callbacks/inboundMessages.js';
import { optOutPhone } from '../../sql/sellers/optOutPhone.js';
import { deleteOptOut } from '../../sql/sellers/optouts.js';

export interface InboundDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
}

/** A seller's message as its provider's callback said it (src/providers/provider.ts), and which provider: `from` is E.164, `to` our number as the provider wrote it. */
export type Inbound = Omit<Extract<ProviderCallback, { kind: 'inbound' }>, 'kind'> & { provider: ProviderName };

export type InboundOutcome =
  | { status: 'duplicate'; kind: InboundKind }
  | { status: 'opted_out'; cancelled: number; created: boolean }
  | { status: 'opted_in'; lifted: boolean }
  | { status: 'reply'; matched: boolean; leadId: string | null; accountId: string | null };

/** "whatsapp:+14155238886" or "+33757000001" as account_sender_numbers stores them; the channel the reply came on. */
function ourNumber(to: string | null): { number: string | null; channel: 'sms' | 'whatsapp' | null } {
  if (!to) return { number: null, channel: null };
  const whatsapp = /^whatsapp:/i.test(to);
  const digits = to.replace(/^whatsapp:/i, '').trim();
  const e164 = digits.startsWith('+') ? digits : /^\d{6,15}$/.test(digits) ? `+${digits}` : null;
  return { number: e164 ? (whatsapp ? `whatsapp:${e164}` : e164) : null, channel: whatsapp ? 'whatsapp' : 'sms' };
}

export async function recordInbound(deps: InboundDeps, inbound: Inbound): Promise<InboundOutcome> {
  return deps.db.transaction(async (trx) => {
    const now = deps.clock.now();
    const kind: InboundKind = inbound.optOut === 'stop' ? 'opt_out' : inbound.optOut === 'start' ? 'opt_in' : 'reply';
    const id = newId();
    const fresh = await insertInbound(
      trx,
      {
        id,
        provider: inbound.provider,
        providerMessageId: inbound.providerMessageId,
        kind,
        from: inbound.from,
        to: inbound.to,
        text: inbound.text,
        receivedAt: inbound.at,
      },
      now,
    );
    // What the conversation shows: every message, joined to what it answers, STOP included.
    const { number, channel } = ourNumber(inbound.to);
    const accountId = number ? await accountOfNumber(trx, number) : null;
    const answered =
      (inbound.inReplyTo && (await findMessageAnswered(trx, inbound.from, inbound.inReplyTo))) ||
      (await findAnsweredMessage(trx, { phone: inbound.from, accountId, channel }));
    if (fresh && answered)
      await attachInbound(trx, id, {
        accountId: answered.account_id,
        leadId: answered.lead_id,
        messageId: answered.id,
      });

    if (kind === 'opt_out') return optOut(trx, deps, inbound, now);
    if (kind === 'opt_in') {
      if (!fresh) return { status: 'duplicate', kind };
      return { status: 'opted_in', lifted: await deleteOptOut(trx, inbound.from) };
    }
    if (!fresh) return { status: 'duplicate', kind };
    if (!answered) return { status: 'reply', matched: false, leadId: null, accountId: null };
    return reply(trx, deps, inbound, id, answered, now);
  });
}

/** STOP: the phone opted out, its pending messages cancelled (MessageFailed each). */
async function optOut(trx: Trx, deps: InboundDeps, inbound: Inbound, now: Date): Promise<InboundOutcome> {
  // Applied even when repeated: an opt-out must not be lost to a crash between the row and the opt-out.
  const r = await optOutPhone(
    trx,
    { phone: inbound.from, source: 'inbound', reason: inbound.text.trim() || 'STOP' },
    now,
  );
  await deps.outbox.enqueue(
    trx,
    r.cancelled.map((m) => messageFailedEvent(m, 'opted_out', true, now)),
  );
  return { status: 'opted_out', cancelled: r.cancelled.length, created: r.created };
}

/** A reply to one of our messages: its lead marked replied, and SellerReplied in the chain of the message. */
async function reply(
  trx: Trx,
  deps: InboundDeps,
  inbound: Inbound,
  replyId: string,
  answered: AnsweredMessage,
  now: Date,
): Promise<InboundOutcome> {
  await markLeadReplied(trx, answered.lead_id, inbound.at, now);
  await deps.outbox.enqueue(
    trx,
    sellerRepliedEvent(answered, {
      replyId,
      from: inbound.from,
      to: inbound.to,
      text: inbound.text,
      receivedAt: inbound.at.getTime(),
      provider: inbound.provider,
    }),
  );
  return { status: 'reply', matched: true, leadId: answered.lead_id, accountId: answered.account_id };
}
