import type { Trx } from '../../db/knex.js';
import { optOutPhone } from '../sellers/optOutPhone.js';
import type { MessageRow } from './messageRow.js';

/** Reasons a lead keeps as its own when its message is given up, rather than message_failed. */
const LEAD_REASONS = ['opted_out', 'not_mobile', 'not_on_whatsapp', 'undeliverable'];

export interface GiveUp {
  id: string;
  /** last_error, and the lead's reason when it is one of LEAD_REASONS (message_failed otherwise). */
  reason: string;
  detail?: string | null;
  provider?: string | null;
  /** The provider's code, for MessageFailed. */
  code?: string | null;
  /** The phone opted out at the provider (Twilio 21610, 30004): opted out here for every account. */
  optOut?: boolean;
  /**
   * Set when the message's own fallback applies (a WhatsApp message its seller cannot get on
   * WhatsApp, whose hunt has an SMS fallback): the ids of the SMS that replaces it and of its SendMessage.
   */
  fallback?: { id: string; commandEventId: string } | null;
}

/** A message given up, with what its events need. */
export type GivenUp = MessageRow & { reason: string; code: string | null; provider: string | null };

export interface GiveUpResult {
  failed: GivenUp[];
  /** The SMS that replace WhatsApp messages (their SendMessage to write), with the message each replaces. */
  fallbacks: Array<MessageRow & { fallback_of: string }>;
  /** Messages of other accounts cancelled by the opt-outs a provider reported. */
  cancelled: MessageRow[];
  /** Phones newly opted out. */
  optedOut: number;
}

/**
 * Gives messages up: still `from` (pending at send time; pending or sent when a callback says the
 * seller never got it). Their sellers were never reached, so each contacted ad is released (a later
 * contact stays possible: a failed message frees its seller, src/sql/sellers/claimSellers.ts) and each lead
 * goes back to 'nouveau' with the reason, unless the message's SMS fallback takes its place: then a
 * new SMS message, pending, holds the contacted ad and the seller's claim, and the lead stays contacte.
 * A phone the provider says opted out is opted out for every account (its other pending messages
 * cancelled). A message already settled otherwise (failed, or sent while `from` is pending) is left alone.
 */
export async function giveUpMessages(
  trx: Trx,
  giveUps: GiveUp[],
  now: Date,
  from: Array<'pending' | 'sent'>,
): Promise<GiveUpResult> {
  const none: GiveUpResult = { failed: [], fallbacks: [], cancelled: [], optedOut: 0 };
  if (giveUps.length === 0) return none;
  const { rows } = await trx.raw<{ rows: FailedRow[] }>(
    `UPDATE messages m SET status = 'failed', last_error = f.reason, failed_at = ?::timestamptz, locked_until = NULL, unconfirmed_since = NULL,
            held_by = NULL, receipt_check_at = NULL, provider = coalesce(f.provider, m.provider), updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[]) AS f(id, reason, detail, provider, code)
      WHERE m.id = f.id AND m.status = ANY(?::text[])
      RETURNING m.id, m.account_id, m.lead_id, m.hunt_id, m.ad_id, m.channel, m.recipient, m.content, m.status, m.attempts,
                m.command_event_id, m.correlation_id, m.fallback_content, f.reason, f.detail, f.code, m.provider`,
    [
      now,
      now,
      giveUps.map((g) => g.id),
      giveUps.map((g) => g.reason),
      giveUps.map((g) => g.detail ?? null) as string[],
      giveUps.map((g) => g.provider ?? null) as string[],
      giveUps.map((g) => g.code ?? null) as string[],
      from,
    ],
  );
  if (rows.length === 0) return none;
  const asked = new Map(giveUps.map((g) => [g.id, g]));
  const replaced = rows.filter((r) => asked.get(r.id)!.fallback && r.fallback_content !== null);
  const released = rows.filter((r) => !replaced.includes(r));

  const fallbacks = replaced.length > 0 ? await insertFallbacks(trx, replaced, asked, now) : [];
  if (released.length > 0) await releaseContacts(trx, released, now);

  const { optedOut, cancelled } = await optOutRefusedPhones(trx, rows, asked, now);
  return { failed: rows, fallbacks, cancelled, optedOut };
}

type FailedRow = GivenUp & { fallback_content: string | null; detail: string | null };

/** A WhatsApp message given up for good is replaced by its SMS fallback, which takes over its contact and seller. */
async function insertFallbacks(
  trx: Trx,
  replaced: FailedRow[],
  asked: Map<string, GiveUp>,
  now: Date,
): Promise<GiveUpResult['fallbacks']> {
  const fallbacks: GiveUpResult['fallbacks'] = [];
  const { rows: inserted } = await trx.raw<{ rows: GiveUpResult['fallbacks'] }>(
    `INSERT INTO messages (id, account_id, lead_id, hunt_id, ad_id, channel, recipient, content, status, command_event_id, correlation_id,
                           next_attempt_at, fallback_of, created_at, updated_at)
     SELECT r.new_id, m.account_id, m.lead_id, m.hunt_id, m.ad_id, 'sms', m.recipient, m.fallback_content, 'pending', r.command_id, m.correlation_id,
            ?::timestamptz, m.id, ?::timestamptz, ?::timestamptz
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[]) AS r(old_id, new_id, command_id) JOIN messages m ON m.id = r.old_id
     RETURNING id, account_id, lead_id, hunt_id, ad_id, channel, recipient, content, status, attempts, command_event_id, correlation_id, fallback_of`,
    [
      now,
      now,
      now,
      replaced.map((r) => r.id),
      replaced.map((r) => asked.get(r.id)!.fallback!.id),
      replaced.map((r) => asked.get(r.id)!.fallback!.commandEventId),
    ],
  );
  fallbacks.push(...inserted);
  const newOf = new Map(inserted.map((m) => [m.fallback_of, m.id]));
  await trx.raw(
    `UPDATE contacted_ads c SET message_id = r.new_id, channel = 'sms' FROM unnest(?::uuid[], ?::uuid[]) AS r(old_id, new_id) WHERE c.message_id = r.old_id`,
    [[...newOf.keys()], [...newOf.values()]],
  );
  await trx.raw(
    `UPDATE seller_contacts s SET message_id = r.new_id FROM unnest(?::uuid[], ?::uuid[]) AS r(old_id, new_id) WHERE s.message_id = r.old_id`,
    [[...newOf.keys()], [...newOf.values()]],
  );
  return fallbacks;
}

/** The contact is released: the contacted ad deleted, the lead back to nouveau with the reason. */
async function releaseContacts(trx: Trx, released: FailedRow[], now: Date) {
  await trx('contacted_ads')
    .whereIn(
      'message_id',
      released.map((r) => r.id),
    )
    .delete();
  await trx.raw(
    `UPDATE leads l SET stage = 'nouveau', reason = CASE WHEN f.reason = ANY(?::text[]) THEN f.reason ELSE 'message_failed' END,
            reason_detail = CASE WHEN f.reason = ANY(?::text[]) THEN f.detail ELSE coalesce(f.detail, f.reason) END, contacted_at = NULL, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::text[]) AS f(id, reason, detail)
      WHERE l.id = f.id AND l.stage = 'contacte'`,
    [
      LEAD_REASONS,
      LEAD_REASONS,
      now,
      released.map((r) => r.lead_id),
      released.map((r) => r.reason),
      released.map((r) => r.detail) as string[],
    ],
  );
}

// The provider refused the phone because its owner opted out there: opted out here too, for every
// account, with what an opt-out does to the phone's other pending messages. Sorted: phone locks in one order.
async function optOutRefusedPhones(trx: Trx, rows: FailedRow[], asked: Map<string, GiveUp>, now: Date) {
  let optedOut = 0;
  const cancelled: MessageRow[] = [];
  const phones = new Map<string, string>();
  for (const r of rows) if (asked.get(r.id)!.optOut) phones.set(r.recipient, r.detail ?? r.code ?? r.reason);
  for (const [phone, reason] of [...phones].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const o = await optOutPhone(trx, { phone, source: 'provider', reason }, now);
    if (o.created) optedOut++;
    cancelled.push(...o.cancelled);
  }
  return { optedOut, cancelled };
}
