import type { Db, Trx } from '../../db/knex.js';
import { holdKeyText, type HoldKey } from './holdSending.js';

/**
 * Lifts holds (a probe went through, or an operator resumed sending): the messages that waited for
 * them are due at once (the sender checks each one's contact hours at its call). Returns the holds
 * lifted and the messages released.
 */
export async function liftHolds(
  db: Db | Trx,
  keys: HoldKey[],
  now: Date,
): Promise<{ lifted: HoldKey[]; released: number }> {
  if (keys.length === 0) return { lifted: [], released: 0 };
  const { rows } = await db.raw<{ rows: HoldKey[] }>(
    `UPDATE sending_holds h SET lifted_at = ?::timestamptz, probe_message_id = NULL, updated_at = ?::timestamptz
       FROM unnest(?::text[], ?::text[]) AS k(scope, target)
      WHERE h.scope = k.scope AND h.target = k.target AND h.lifted_at IS NULL
      RETURNING h.scope, h.target`,
    [now, now, keys.map((k) => k.scope), keys.map((k) => k.target)],
  );
  const { rowCount } = await db.raw<{ rowCount: number }>(
    `UPDATE messages SET next_attempt_at = ?::timestamptz, held_by = NULL, updated_at = ?::timestamptz
      WHERE held_by = ANY(?::text[]) AND status = 'pending'`,
    [now, now, keys.map(holdKeyText)],
  );
  return { lifted: rows, released: rowCount ?? 0 };
}
