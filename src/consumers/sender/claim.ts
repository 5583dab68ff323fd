// The first step of delivery, for a whole batch in one short transaction, at the moment of the call:
//   1. contact hours: every attempt (first, retry, deferred, released by a hold) is checked against
//      its hunt's window now, in the seller's time zone with their region's holidays
//      (src/domain/sellerZone.ts); one outside it waits for the next opening (not leased, not counted);
//      one inside it carries when the window closes, so that the provider cannot deliver it later;
//   2. holds: a message whose account or provider has its sending held (src/sql/holds/holdSending.ts) waits
//      for the hold's next probe, named by it; when the probe is due, one message goes through as the
//      probe, taken so that no other sender probes meanwhile;
//   3. the send rate: a lease on each message within its account's rate, the others deferred. The rate
//      is decided under the accounts' row locks, so that any number of senders agree on it.
// The claim also reads which sender each account sends from (its own, or the provider's default when
// it has none), and when each WhatsApp recipient last wrote to us (free text within 24 hours only).
import type { Db, Trx } from '../../db/knex.js';
import { nextOpening, windowCloses } from '../../domain/contactHours.js';
import { sellerZoneOf } from '../../domain/sellerZone.js';
import { applySendRate } from '../../domain/sendRate.js';
import type { ProviderName } from '../../providers/provider.js';
import { countRecentAttempts } from '../../sql/messages/countRecentAttempts.js';
import { deferMessages } from '../../sql/messages/deferMessages.js';
import { findSellersLastWhatsApp } from '../../sql/sellers/findSellersLastWhatsApp.js';
import { findSenderNumbers } from '../../sql/accounts/findSenderNumbers.js';
import { holdMessages } from '../../sql/messages/holdMessages.js';
import { holdKeyText, type HoldKey } from '../../sql/holds/holdSending.js';
import { leaseMessages } from '../../sql/messages/leaseMessages.js';
import { lockAccounts } from '../../sql/accounts/lockAccounts.js';
import type { MessageRow } from '../../sql/messages/messageRow.js';
import { selectActiveHolds, type ActiveHold } from '../../sql/holds/selectActiveHolds.js';
import { selectDeliverable, type Deliverable } from '../../sql/messages/selectDeliverable.js';
import { takeProbe } from '../../sql/holds/takeProbe.js';

/** WhatsApp's customer service window: free text only this long after the person's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 3600_000;
/** Kept from the end of that window: a message queued at its edge must not arrive after it. */
const WHATSAPP_MARGIN_MS = 10 * 60_000;

/** What the call of a claimed message needs beyond its row. */
export interface CallFacts {
  /** When its contact window closes (null: no window). */
  validUntil: Date | null;
  /** WhatsApp: the seller wrote to us recently enough for free text now. */
  inWhatsAppWindow: boolean;
  /** The hold this attempt probes, if it is a probe. */
  probe: ActiveHold | null;
}

export interface Claim {
  claimed: MessageRow[];
  /** Deferred over their accounts' send rate. */
  deferred: number;
  /** Waiting for their contact window to open. */
  outsideHours: number;
  /** Waiting for a hold's probe. */
  held: number;
  /** Per account, its own sender per channel. */
  senders: Map<string, { sms?: string; whatsapp?: string }>;
  facts: Map<string, CallFacts>;
}

export interface ClaimOptions {
  leaseMs: number;
  ratePerMinute: number;
  now: Date;
  /** Where a recipient without a known French region is local (TICK_TIME_ZONE). */
  timeZone: string;
  /** The provider of each channel (MESSAGE_PROVIDERS). */
  providerOf: (channel: string) => ProviderName;
  /** How long a hold waits between probes. */
  probeEveryMs: number;
}

export const holdKeysOf = (
  m: { accountId: string; channel: string },
  providerOf: (channel: string) => ProviderName,
) => [
  { scope: 'account', target: m.accountId } as HoldKey,
  { scope: 'provider', target: providerOf(m.channel) } as HoldKey,
];

export async function claimForDelivery(db: Db, messageIds: string[], options: ClaimOptions): Promise<Claim> {
  const none: Claim = {
    claimed: [],
    deferred: 0,
    outsideHours: 0,
    held: 0,
    senders: new Map(),
    facts: new Map(),
  };
  if (messageIds.length === 0) return none;
  const { now } = options;
  return db.transaction(async (trx) => {
    const deliverable = await selectDeliverable(trx, messageIds, now);
    if (deliverable.length === 0) return none;

    const { open, validUntil, outside } = await applyContactHours(trx, deliverable, options);

    const { candidates, probes, held } = await applyHolds(trx, open, options);
    if (candidates.length === 0)
      return { ...none, outsideHours: outside.length, held: held.length, senders: new Map(), facts: new Map() };

    const accounts = candidates.map((m) => m.accountId);
    await lockAccounts(trx, accounts);
    const recent = await countRecentAttempts(trx, accounts);
    const { attempt, defer } = applySendRate(candidates, recent, options.ratePerMinute, now);
    const claimed = await leaseMessages(trx, attempt, options.leaseMs, now);
    await deferMessages(trx, defer, now);
    const { senders, facts } = await callFactsOf(trx, claimed, validUntil, probes, now);
    return {
      claimed,
      deferred: defer.length,
      outsideHours: outside.length,
      held: held.length,
      senders,
      facts,
    };
  });
}

/**
 * Step 1: the messages inside their contact window now, with when it closes; those outside it are
 * deferred to its next opening.
 */
async function applyContactHours(trx: Trx, deliverable: Deliverable[], options: ClaimOptions) {
  const { now } = options;
  const outside: Array<{ id: string; until: Date }> = [];
  const open: Deliverable[] = [];
  const validUntil = new Map<string, Date | null>();
  for (const d of deliverable) {
    const zone = sellerZoneOf(d.recipient, options.timeZone);
    const opening = nextOpening(d.contactHours, now, zone.timeZone, zone.region);
    if (opening.getTime() > now.getTime()) outside.push({ id: d.id, until: opening });
    else {
      open.push(d);
      validUntil.set(d.id, windowCloses(d.contactHours, now, zone.timeZone));
    }
  }
  await deferMessages(trx, outside, now);
  return { open, validUntil, outside };
}

/** What the calls of the claimed messages need: each account's senders, and each message's CallFacts. */
async function callFactsOf(
  trx: Trx,
  claimed: MessageRow[],
  validUntil: Map<string, Date | null>,
  probes: Map<string, ActiveHold>,
  now: Date,
): Promise<Pick<Claim, 'senders' | 'facts'>> {
  const senders = claimed.some((m) => m.channel !== 'leboncoin')
    ? await findSenderNumbers(
        trx,
        claimed.map((m) => m.account_id),
      )
    : new Map<string, { sms?: string; whatsapp?: string }>();
  const whatsapp = claimed.filter((m) => m.channel === 'whatsapp' && m.content_sid);
  const wrote = await findSellersLastWhatsApp(
    trx,
    whatsapp.map((m) => m.recipient),
    new Date(now.getTime() - WHATSAPP_WINDOW_MS + WHATSAPP_MARGIN_MS),
  );
  const facts = new Map(
    claimed.map((m) => [
      m.id,
      {
        validUntil: validUntil.get(m.id) ?? null,
        inWhatsAppWindow: wrote.has(m.recipient),
        probe: probes.get(m.id) ?? null,
      },
    ]),
  );
  return { senders, facts };
}

/** Step 2: the messages that may be attempted (the probes among them), and those left waiting for a hold. */
async function applyHolds(trx: Trx, open: Deliverable[], options: ClaimOptions) {
  const probes = new Map<string, ActiveHold>();
  if (open.length === 0) return { candidates: open, probes, held: [] };
  const holds = await selectActiveHolds(trx);
  if (holds.length === 0) return { candidates: open, probes, held: [] };
  const { now } = options;
  const next = new Date(now.getTime() + options.probeEveryMs);
  const byKey = new Map(holds.map((h) => [holdKeyText(h), h]));
  const probed = new Set<string>();
  const candidates: Deliverable[] = [];
  const held: Array<{ id: string; heldBy: string; until: Date; lastError: string; attempted: boolean }> = [];
  for (const d of open) {
    const hold = holdKeysOf(d, options.providerOf)
      .map((k) => byKey.get(holdKeyText(k)))
      .find((h) => h !== undefined);
    if (!hold) {
      candidates.push(d);
      continue;
    }
    const key = holdKeyText(hold);
    if (
      !probed.has(key) &&
      hold.nextProbeAt.getTime() <= now.getTime() &&
      (await takeProbe(trx, hold, d.id, now, next))
    ) {
      probed.add(key);
      probes.set(d.id, hold);
      candidates.push(d);
      continue;
    }
    held.push({
      id: d.id,
      heldBy: key,
      until: hold.nextProbeAt.getTime() > now.getTime() ? hold.nextProbeAt : next,
      lastError: `sending held: ${hold.reason}${hold.code ? ` (${hold.code})` : ''}`,
      attempted: false,
    });
  }
  await holdMessages(trx, held, now);
  return { candidates, probes, held };
}
