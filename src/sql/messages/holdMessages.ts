import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

/** A pending message whose attempt met a hold, and until when the hold's next probe keeps it waiting. */
export interface HeldMessage {
  id: string;
  /** The hold that names it (held_by). */
  heldBy: string;
  until: Date;
  lastError: string;
  /** Whether the attempt was counted (it is given back). */
  attempted: boolean;
}

/**
 * Pending messages whose attempt met a hold (their account's or provider's sending is held): they
 * wait for the hold's next probe, named by it (held_by), their lease released, and the attempt does
 * not count against SEND_MAX_ATTEMPTS (it says nothing of the message).
 */
export async function holdMessages(trx: Trx, held: HeldMessage[], now: Date): Promise<void> {
  if (held.length === 0) return;
  await trx.raw(
    `UPDATE messages m SET next_attempt_at = h.until, held_by = h.held_by, locked_until = NULL, unconfirmed_since = NULL,
            attempts = CASE WHEN h.attempted THEN greatest(m.attempts - 1, 0) ELSE m.attempts END,
            last_error = coalesce(h.last_error, m.last_error), updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[], ?::text[], ?::boolean[]) AS h(id, held_by, until, last_error, attempted)
      WHERE m.id = h.id AND m.status = 'pending'`,
    [now, ...unnestColumns(held, ['id', 'heldBy', 'until', 'lastError', 'attempted'])],
  );
}
