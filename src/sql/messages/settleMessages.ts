// The outcome of delivery attempts, in the transaction of their events (messages given up:
// src/sql/messages/giveUpMessages.ts). Each update applies only to
// messages still pending and returns those it changed: an attempt whose lease expired meanwhile
// (another attempt settled the message) must add nothing. An outcome that is known clears the
// attempt's unconfirmed mark (src/sql/messages/leaseMessages.ts); a retry whose request may have reached the
// provider keeps it, so that the next attempt looks the message up before sending it again.
import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

export interface SentMessage {
  id: string;
  externalId: string | null;
  sentAt: Date;
  provider: string;
  /** The number (or Messaging Service, or alphanumeric sender) it went from, when the provider said. */
  sender: string | null;
  /** When to read its status back at its provider if no final status came by then (null: never). */
  receiptCheckAt: Date | null;
}

export async function markMessagesSent(trx: Trx, sent: SentMessage[], now: Date): Promise<Set<string>> {
  if (sent.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE messages m SET status = 'sent', external_id = s.external_id, sent_at = s.sent_at, provider = s.provider, sender = s.sender,
            locked_until = NULL, last_error = NULL, unconfirmed_since = NULL, held_by = NULL, receipt_check_at = s.check_at, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::timestamptz[]) AS s(id, external_id, sent_at, provider, sender, check_at)
      WHERE m.id = s.id AND m.status = 'pending'
      RETURNING m.id`,
    [now, ...unnestColumns(sent, ['id', 'externalId', 'sentAt', 'provider', 'sender', 'receiptCheckAt'])],
  );
  return new Set(rows.map((r) => r.id));
}

/** A pending message to try again at `at`, and why. */
export interface MessageRetry {
  id: string;
  at: Date;
  reason: string;
  provider: string;
  /** The request may have reached the provider: the unconfirmed mark stays. */
  uncertain: boolean;
}

export async function scheduleMessageRetries(trx: Trx, retries: MessageRetry[], now: Date): Promise<void> {
  if (retries.length === 0) return;
  await trx.raw(
    `UPDATE messages m SET next_attempt_at = r.at, locked_until = NULL, last_error = r.reason, provider = r.provider,
            unconfirmed_since = CASE WHEN r.uncertain THEN m.unconfirmed_since END, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::boolean[]) AS r(id, at, reason, provider, uncertain)
      WHERE m.id = r.id AND m.status = 'pending'`,
    [now, ...unnestColumns(retries, ['id', 'at', 'reason', 'provider', 'uncertain'])],
  );
}
