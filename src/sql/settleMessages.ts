// The outcome of delivery attempts, in the transaction of their events. Each update applies only to
// messages still pending and returns those it changed: an attempt whose lease expired meanwhile
// (another attempt settled the message) must add nothing. An outcome that is known clears the
// attempt's unconfirmed mark (src/sql/leaseMessages.ts); a retry whose request may have reached the
// provider keeps it, so that the next attempt looks the message up before sending it again.
import type { Trx } from '../db/knex.js';

export interface SentMessage {
  id: string;
  externalId: string | null;
  sentAt: Date;
  provider: string;
  /** The number (or Messaging Service, or alphanumeric sender) it went from, when the provider said. */
  sender: string | null;
}

export async function markMessagesSent(trx: Trx, sent: SentMessage[], now: Date): Promise<Set<string>> {
  if (sent.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE messages m SET status = 'sent', external_id = s.external_id, sent_at = s.sent_at, provider = s.provider, sender = s.sender,
            locked_until = NULL, last_error = NULL, unconfirmed_since = NULL, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[], ?::text[], ?::text[]) AS s(id, external_id, sent_at, provider, sender)
      WHERE m.id = s.id AND m.status = 'pending'
      RETURNING m.id`,
    [
      now,
      sent.map((s) => s.id),
      sent.map((s) => s.externalId) as string[],
      sent.map((s) => s.sentAt),
      sent.map((s) => s.provider),
      sent.map((s) => s.sender) as string[],
    ],
  );
  return new Set(rows.map((r) => r.id));
}

export async function scheduleMessageRetries(
  trx: Trx,
  retries: Array<{ id: string; at: Date; reason: string; provider: string; uncertain: boolean }>,
  now: Date,
): Promise<void> {
  if (retries.length === 0) return;
  await trx.raw(
    `UPDATE messages m SET next_attempt_at = r.at, locked_until = NULL, last_error = r.reason, provider = r.provider,
            unconfirmed_since = CASE WHEN r.uncertain THEN m.unconfirmed_since END, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::boolean[]) AS r(id, at, reason, provider, uncertain)
      WHERE m.id = r.id AND m.status = 'pending'`,
    [
      now,
      retries.map((r) => r.id),
      retries.map((r) => r.at),
      retries.map((r) => r.reason),
      retries.map((r) => r.provider),
      retries.map((r) => r.uncertain),
    ],
  );
}

/** Reasons a lead keeps as its own when its message is given up (a contact reason), rather than message_failed. */
const LEAD_REASONS = ['opted_out', 'not_mobile'];

/**
 * Gives messages up. Their sellers were never reached, so each contacted ad is released (a later
 * contact stays possible) and each lead goes back to 'nouveau' with the reason message_failed and the
 * provider's answer as detail (or opted_out, not_mobile: the reason itself).
 */
export async function failMessages(
  trx: Trx,
  failures: Array<{ id: string; reason: string; detail?: string | null; provider?: string | null }>,
  now: Date,
): Promise<Set<string>> {
  if (failures.length === 0) return new Set();
  const { rows } = await trx.raw<{
    rows: Array<{ id: string; lead_id: string; reason: string; detail: string | null }>;
  }>(
    `UPDATE messages m SET status = 'failed', last_error = f.reason, failed_at = ?::timestamptz, locked_until = NULL, unconfirmed_since = NULL,
            provider = coalesce(f.provider, m.provider), updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) AS f(id, reason, detail, provider)
      WHERE m.id = f.id AND m.status = 'pending'
      RETURNING m.id, m.lead_id, f.reason, f.detail`,
    [
      now,
      now,
      failures.map((f) => f.id),
      failures.map((f) => f.reason),
      failures.map((f) => f.detail ?? null) as string[],
      failures.map((f) => f.provider ?? null) as string[],
    ],
  );
  if (rows.length === 0) return new Set();
  await trx('contacted_ads')
    .whereIn(
      'message_id',
      rows.map((r) => r.id),
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
      rows.map((r) => r.lead_id),
      rows.map((r) => r.reason),
      rows.map((r) => r.detail) as string[],
    ],
  );
  return new Set(rows.map((r) => r.id));
}
