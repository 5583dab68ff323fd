import type { Db } from '../../db/knex.js';

/**
 * Extends the lease of a message that the attempt which leased it still holds: still pending, and its
 * attempts count unchanged (every lease adds one, src/sql/messages/leaseMessages.ts, so another attempt that
 * took the message since has changed it). Returns whether the lease was renewed.
 */
export async function renewMessageLease(db: Db, id: string, attempt: number, leaseMs: number): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE messages SET locked_until = now() + make_interval(secs => ?), updated_at = now()
      WHERE id = ? AND status = 'pending' AND attempts = ?
      RETURNING id`,
    [leaseMs / 1000, id, attempt],
  );
  return rows.length > 0;
}
