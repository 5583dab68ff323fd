// The outcome of delivery attempts, in the transaction of their events. Each update applies only to
// messages still pending and returns those it changed: an attempt whose lease expired meanwhile
// (another attempt settled the message) must add nothing.
import type { Trx } from '../db/knex.js';

export async function markMessagesSent(trx: Trx, sent: Array<{ id: string; externalId: string | null; sentAt: Date }>, now: Date): Promise<Set<string>> {
  if (sent.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE messages m SET status = 'sent', external_id = s.external_id, sent_at = s.sent_at, locked_until = NULL, last_error = NULL, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[]) AS s(id, external_id, sent_at)
      WHERE m.id = s.id AND m.status = 'pending'
      RETURNING m.id`,
    [now, sent.map((s) => s.id), sent.map((s) => s.externalId) as string[], sent.map((s) => s.sentAt)],
  );
  return new Set(rows.map((r) => r.id));
}

export async function scheduleMessageRetries(trx: Trx, retries: Array<{ id: string; at: Date; reason: string }>, now: Date): Promise<void> {
  if (retries.length === 0) return;
  await trx.raw(
    `UPDATE messages m SET next_attempt_at = r.at, locked_until = NULL, last_error = r.reason, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::timestamptz[], ?::text[]) AS r(id, at, reason)
      WHERE m.id = r.id AND m.status = 'pending'`,
    [now, retries.map((r) => r.id), retries.map((r) => r.at), retries.map((r) => r.reason)],
  );
}

/**
 * Gives messages up. Their sellers were never reached, so each contacted ad is released (a later
 * contact stays possible) and each lead goes back to 'nouveau' with the reason message_failed (or
 * opted_out, for a message given up because its phone opted out).
 */
export async function failMessages(trx: Trx, failures: Array<{ id: string; reason: string }>, now: Date): Promise<Set<string>> {
  if (failures.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ id: string; lead_id: string; reason: string }> }>(
    `UPDATE messages m SET status = 'failed', last_error = f.reason, failed_at = ?::timestamptz, locked_until = NULL, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[]) AS f(id, reason)
      WHERE m.id = f.id AND m.status = 'pending'
      RETURNING m.id, m.lead_id, f.reason`,
    [now, now, failures.map((f) => f.id), failures.map((f) => f.reason)],
  );
  if (rows.length === 0) return new Set();
  await trx('contacted_ads').whereIn('message_id', rows.map((r) => r.id)).delete();
  await trx.raw(
    `UPDATE leads l SET stage = 'nouveau', reason = CASE WHEN f.reason = 'opted_out' THEN 'opted_out' ELSE 'message_failed' END,
            reason_detail = CASE WHEN f.reason = 'opted_out' THEN NULL ELSE f.reason END, contacted_at = NULL, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[]) AS f(id, reason)
      WHERE l.id = f.id AND l.stage = 'contacte'`,
    [now, rows.map((r) => r.lead_id), rows.map((r) => r.reason)],
  );
  return new Set(rows.map((r) => r.id));
}
