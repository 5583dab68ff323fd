import type { Trx } from '../../db/knex.js';

/** Moves pending messages' next attempt to at least `until` (over the account's send rate). */
export async function deferMessages(trx: Trx, deferred: Array<{ id: string; until: Date }>): Promise<void> {
  if (deferred.length === 0) return;
  await trx.raw(
    `UPDATE messages m SET next_attempt_at = greatest(m.next_attempt_at, d.until), updated_at = now()
       FROM unnest(?::uuid[], ?::timestamptz[]) AS d(id, until)
      WHERE m.id = d.id AND m.status = 'pending'`,
    [deferred.map((d) => d.id), deferred.map((d) => d.until)],
  );
}
