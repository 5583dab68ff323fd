import type { Trx } from '../../db/knex.js';
import type { MessageRow } from './messageRow.js';

/**
 * Takes a lease on messages for one attempt each (attempts + 1): nothing else attempts them until the
 * lease ends. Only messages still pending, due and unleased are taken; returns them.
 * The attempt is marked unconfirmed (unconfirmed_since = now) until its outcome is recorded; each row
 * comes back with the mark its previous attempt left (previous_unconfirmed_since): set, that attempt
 * may have reached the provider without its answer reaching us.
 * Only the columns of MessageRow come back: `m.*` sent and parsed about ten timestamps per message that
 * nothing reads, and parsing timestamps (postgres-date's parseDate, pg's parseRow) is not free per message.
 */
export async function leaseMessages(trx: Trx, ids: string[], leaseMs: number, now: Date): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await trx.raw<{ rows: MessageRow[] }>(
    `WITH due AS (
       SELECT id, unconfirmed_since AS previous FROM messages
        WHERE id = ANY(?::uuid[]) AND status = 'pending' AND next_attempt_at <= ?::timestamptz
          AND (locked_until IS NULL OR locked_until < now())
        FOR UPDATE
     )
     UPDATE messages m
        SET attempts = m.attempts + 1, locked_until = now() + make_interval(secs => ?), last_attempt_at = now(),
            unconfirmed_since = now(), updated_at = now()
       FROM due
      WHERE m.id = due.id
      RETURNING m.id, m.account_id, m.lead_id, m.hunt_id, m.ad_id, m.channel, m.recipient, m.content, m.status, m.attempts,
                m.command_event_id, m.correlation_id, m.content_sid, m.content_variables, m.content_is_text,
                due.previous AS previous_unconfirmed_since`,
    [ids, now, leaseMs / 1000],
  );
  return rows;
}
