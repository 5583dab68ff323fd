// A delivery receipt from a provider (the generic gateway, Twilio, Brevo, or one read back by the
// reconciliation): a message's status is the truth about it. In one transaction:
//   - the message's delivery_status and delivered_at, and a MessageDelivered event: once per attempt
//     (the first final status wins, a repeat or a contrary status later changes nothing, and a callback
//     of an earlier attempt of a message tried again is stale);
//   - with a failed or undelivered status carrying a final code (src/providers/failureCodes.ts), what
//     the code means, as a refusal at send time does: the message given up (its contacted ad and seller
//     released, the lead back to nouveau with the reason, MessageFailed permanent with the code; a phone
//     opted out at the provider opted out for every account; a WhatsApp message with an SMS fallback
//     replaced by its SMS), or tried once more in a later contact window (a phone that was off), or
//     its account's (or provider's) sending held with the message pending again. Carrier filtering on
//     5 of an account's last 50 messages holds the account;
//   - a delivered probe of a carrier-filtering hold lifts it.
// The generic gateway's receipts carry no code: an undelivered one is recorded, nothing more.
import type { Db, Trx } from '../../db/knex.js';
import { openingOnLaterDay } from '../../domain/contactHours.js';
import { NotFoundError } from '../../domain/errors.js';
import { sellerZoneOf } from '../../domain/sellerZone.js';
import { newEventId } from '../../events/envelope.js';
import { givenUpEvents } from '../../events/messageEvents.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { CARRIER_FILTERING, effectOf } from '../../providers/failureCodes.js';
import { GATEWAY, type ProviderName } from '../../providers/provider.js';
import { countCarrierFiltering } from '../../sql/holds/countCarrierFiltering.js';
import { findCarrierFilteringProbe } from '../../sql/holds/findCarrierFilteringProbe.js';
import { findHuntContactHours } from '../../sql/hunts/findHuntContactHours.js';
import { giveUpMessages } from '../../sql/messages/giveUpMessages.js';
import { holdKeyText, holdSending, type HoldKey } from '../../sql/holds/holdSending.js';
import { isAccountSender } from '../../sql/accounts/isAccountSender.js';
import { liftHolds } from '../../sql/holds/liftHolds.js';
import { lockAccounts } from '../../sql/accounts/lockAccounts.js';
import {
  findMessageForReceipt,
  recordDeliveryStatus,
  type DeliveredMessage,
  type DeliveryStatus,
} from '../../sql/callbacks/recordDeliveryStatus.js';
import { requeueSentMessage } from '../../sql/messages/requeueSentMessage.js';

/** What a final code's effects need: where sellers without a known region are local, how often a hold is probed. */
export interface ReceiptRules {
  timeZone: string;
  probeEveryMs: number;
}

export interface ReceiptDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  rules: ReceiptRules;
}

export interface Receipt {
  messageId?: string;
  externalId?: string;
  status: DeliveryStatus;
  at: Date;
  /** With undelivered: the provider's error code, when it gave one (recorded and published). */
  errorCode?: string | null;
  /** With undelivered: the key of the table of src/providers/failureCodes.ts (defaults to errorCode). */
  finalCode?: string | null;
  /** Who reports it (a receipt can overtake the sender's record of which provider sent the message). */
  provider?: ProviderName;
}

/** What the receipt did beyond recording the status. */
export type ReceiptEffect =
  | { kind: 'none' }
  | { kind: 'failed'; reason: string; fallback: boolean }
  | { kind: 'later'; at: Date }
  | { kind: 'held'; hold: HoldKey; reason: string; created: boolean }
  | { kind: 'lifted'; hold: HoldKey };

export interface ReceiptResult {
  messageId: string;
  changed: boolean;
  effect: ReceiptEffect;
  /** Set when carrier filtering held the account. */
  carrierFiltering?: { accountId: string; created: boolean };
}

/** Returns the message id, whether the receipt changed anything, and what it did; NotFoundError for an unknown message. */
export async function recordReceipt(deps: ReceiptDeps, receipt: Receipt): Promise<ReceiptResult> {
  return deps.db.transaction(async (trx) => {
    const message = await findMessageForReceipt(trx, receipt);
    if (!message)
      throw new NotFoundError(
        receipt.messageId ? `message ${receipt.messageId}` : `message with externalId ${receipt.externalId}`,
      );
    const unchanged: ReceiptResult = { messageId: message.id, changed: false, effect: { kind: 'none' } };
    if (stale(message, receipt.externalId) || message.status === 'failed') return unchanged;
    const provider = receipt.provider ?? (message.provider as ProviderName | null) ?? GATEWAY;
    const code = receipt.finalCode ?? receipt.errorCode ?? null;
    // A message to try again later, or to hold, must be 'sent' to be put back: a callback that overtook
    // the sender's record of the send is left for the reconciliation to read again (nothing recorded).
    if (receipt.status === 'undelivered' && provider !== GATEWAY && message.status !== 'sent') {
      const effect = effectOf(provider, code).effect;
      if (effect === 'hold' || (effect === 'later' && !message.retried_unreachable)) return unchanged;
    }
    const now = deps.clock.now();
    const changed = await recordDeliveryStatus(
      trx,
      message.id,
      receipt.status,
      receipt.at,
      now,
      receipt.errorCode ?? null,
    );
    if (!changed) return unchanged;
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
        provider,
      },
    });
    const result = { messageId: message.id, changed: true };
    if (receipt.status === 'delivered') {
      const probe = await findCarrierFilteringProbe(trx, message.id);
      if (!probe) return { ...result, effect: { kind: 'none' } };
      await liftHolds(trx, [probe], now);
      return { ...result, effect: { kind: 'lifted', hold: probe } };
    }
    if (provider === GATEWAY) return { ...result, effect: { kind: 'none' } };
    return applyFinalCode(trx, deps, message, provider, code, now, result);
  });
}

/**
 * A callback of an attempt that is not the message's current one: its sid is the one a retry
 * replaced, or not the one the message was sent with. (No sid recorded yet: the callback overtook the
 * sender's record, and is the current attempt's.)
 */
const stale = (m: DeliveredMessage, externalId: string | undefined) =>
  externalId !== undefined &&
  (m.previous_external_id === externalId || (m.external_id !== null && m.external_id !== externalId));

async function applyFinalCode(
  trx: Trx,
  deps: ReceiptDeps,
  message: DeliveredMessage,
  provider: Exclude<ProviderName, typeof GATEWAY>,
  code: string | null,
  now: Date,
  result: { messageId: string; changed: boolean },
): Promise<ReceiptResult> {
  const effect = effectOf(provider, code);
  const detail = `${provider} ${code ?? 'undelivered'}: the provider could not deliver it`;

  if (effect.effect === 'later' && !message.retried_unreachable) {
    const zone = sellerZoneOf(message.recipient, deps.rules.timeZone);
    const at = openingOnLaterDay(await findHuntContactHours(trx, message.hunt_id), now, zone.timeZone, zone.region);
    const requeued = await requeueSentMessage(
      trx,
      message.id,
      { at, lastError: `${detail}; tried again in a later contact window`, unreachable: true, heldBy: null },
      now,
    );
    if (requeued) return { ...result, effect: { kind: 'later', at } };
  }

  if (effect.effect === 'hold')
    return { ...result, effect: await holdOnReceipt(trx, deps, message, provider, effect, code, detail, now) };

  // A final failure (or a phone out of reach a second time): given up as a refusal at send time is.
  const reason = effect.effect === 'fail' ? effect.reason : 'undeliverable';
  const fallback = effect.effect === 'fail' && effect.smsFallback && message.channel === 'whatsapp';
  const givenUp = await giveUpMessages(
    trx,
    [
      {
        id: message.id,
        reason,
        detail,
        provider,
        code,
        optOut: reason === 'opted_out',
        fallback: fallback ? { id: newId(), commandEventId: newEventId() } : null,
      },
    ],
    now,
    ['pending', 'sent'],
  );
  await deps.outbox.enqueue(
    trx,
    givenUpEvents(givenUp, () => true, now),
  );
  const out: ReceiptResult = {
    ...result,
    effect: { kind: 'failed', reason, fallback: givenUp.fallbacks.length > 0 },
  };
  if (provider === CARRIER_FILTERING.provider && code === CARRIER_FILTERING.code) {
    const held = await holdOnCarrierFiltering(trx, deps, message, provider, code, now);
    if (held) out.carrierFiltering = held;
  }
  return out;
}

/** Not the message's problem: it waits, pending again, for its account's or provider's hold. */
async function holdOnReceipt(
  trx: Trx,
  deps: ReceiptDeps,
  message: DeliveredMessage,
  provider: Exclude<ProviderName, typeof GATEWAY>,
  effect: Extract<ReturnType<typeof effectOf>, { effect: 'hold' }>,
  code: string | null,
  detail: string,
  now: Date,
): Promise<ReceiptEffect> {
  const own = effect.scope === 'sender' && (await isAccountSender(trx, message.account_id, message.sender));
  const hold: HoldKey = own
    ? { scope: 'account', target: message.account_id }
    : { scope: 'provider', target: provider };
  const probeAt = new Date(now.getTime() + deps.rules.probeEveryMs);
  const h = await holdSending(trx, hold, { reason: effect.reason, code, detail }, probeAt, now);
  await requeueSentMessage(
    trx,
    message.id,
    {
      at: probeAt,
      lastError: `sending held: ${effect.reason} (${detail})`,
      unreachable: false,
      heldBy: holdKeyText(hold),
    },
    now,
  );
  return { kind: 'held', hold, reason: effect.reason, created: h.created };
}

/** Carrier filtering on too many of an account's last messages holds the account. */
async function holdOnCarrierFiltering(
  trx: Trx,
  deps: ReceiptDeps,
  message: DeliveredMessage,
  provider: string,
  code: string,
  now: Date,
): Promise<ReceiptResult['carrierFiltering']> {
  // One count at a time per account: two filtered receipts committing together each see the other.
  await lockAccounts(trx, [message.account_id]);
  const filtered = await countCarrierFiltering(trx, message.account_id, provider, code, CARRIER_FILTERING.of);
  if (filtered >= CARRIER_FILTERING.limit) {
    const h = await holdSending(
      trx,
      { scope: 'account', target: message.account_id },
      {
        reason: 'carrier_filtering',
        code,
        detail: `${filtered} of the account's last ${CARRIER_FILTERING.of} messages filtered by the carriers (${code})`,
      },
      new Date(now.getTime() + deps.rules.probeEveryMs),
      now,
    );
    return { accountId: message.account_id, created: h.created };
  }
  return undefined;
}
