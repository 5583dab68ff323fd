// Contacts per hunt per day (hunt_daily_contacts), counted in the database under a row lock per
// (hunt, day), so that several matchers share one daily quota.
import type { Trx } from '../db/knex.js';

/** Locks the counters of `huntIds` for `day` (creating them at 0) and returns the contacts used so far. */
export async function lockPacing(trx: Trx, huntIds: string[], day: string): Promise<Map<string, number>> {
  if (huntIds.length === 0) return new Map();
  const sorted = [...huntIds].sort(); // one lock order for every transaction: no deadlock
  await trx.raw(`INSERT INTO hunt_daily_contacts (hunt_id, day, contacts) SELECT unnest(?::uuid[]), ?::date, 0 ON CONFLICT DO NOTHING`, [sorted, day]);
  const { rows } = await trx.raw<{ rows: Array<{ hunt_id: string; contacts: number }> }>(
    `SELECT hunt_id, contacts FROM hunt_daily_contacts WHERE day = ?::date AND hunt_id = ANY(?::uuid[]) ORDER BY hunt_id FOR UPDATE`,
    [day, sorted],
  );
  return new Map(rows.map((r) => [r.hunt_id, r.contacts]));
}

/** Adds the contacts granted (hunt id -> count) to the counters locked by lockPacing. */
export async function reservePacing(trx: Trx, granted: ReadonlyMap<string, number>, day: string): Promise<void> {
  if (granted.size === 0) return;
  const ids = [...granted.keys()];
  await trx.raw(
    `UPDATE hunt_daily_contacts h SET contacts = h.contacts + g.n
       FROM unnest(?::uuid[], ?::int[]) AS g(hunt_id, n)
      WHERE h.hunt_id = g.hunt_id AND h.day = ?::date`,
    [ids, ids.map((id) => granted.get(id)!), day],
  );
}
