import type { Trx } from '../../db/knex.js';

/**
 * Puts a sent message back to pending, to be sent again at `at`: its phone was out of reach (once:
 * `unreachable`), or its account's sending is held (`heldBy`). The attempt that was sent is kept as
 * previous_external_id, so that its late callbacks change nothing; its delivery status is the next
 * attempt's to learn. Only a message still 'sent' (and, for `unreachable`, never tried again for it)
 * is changed: returns whether it was.
 */
export async function requeueSentMessage(
  trx: Trx,
  id: string,
  change: { at: Date; lastError: string; unreachable: boolean; heldBy: string | null },
  now: Date,
): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: unknown[] }>(
    `UPDATE messages SET status = 'pending', previous_external_id = external_id, external_id = NULL, sent_at = NULL,
            delivery_status = NULL, delivery_error = NULL, delivered_at = NULL, receipt_check_at = NULL, receipt_checks = 0,
            next_attempt_at = :at::timestamptz, held_by = :heldBy, last_error = :lastError,
            retried_unreachable = retried_unreachable OR :unreachable, updated_at = :now::timestamptz
      WHERE id = :id AND status = 'sent' AND NOT (:unreachable AND retried_unreachable)
      RETURNING id`,
    { id, at: change.at, heldBy: change.heldBy, lastError: change.lastError, unreachable: change.unreachable, now },
  );
  return rows.length > 0;
}
