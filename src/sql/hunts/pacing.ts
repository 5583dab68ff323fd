// Contacts per hunt per day (hunt_daily_contacts), shared by every matcher. Optimistic: the counters
// are read without a lock, the decision is made, and the grants are added by the transaction's last
// statement only where they still fit under the hunt's limit. If another transaction took the room
// meanwhile, fewer grants apply and the caller retries with fresh counts: a quota is never exceeded,
// and its row locks are held only from that statement to the commit.
import type { Trx } from '../../db/knex.js';

/** Contacts already counted today for each of `huntIds` (0 when none). */
export async function readPacing(trx: Trx, huntIds: string[], day: string): Promise<Map<string, number>> {
  if (huntIds.length === 0) return new Map();
  const { rows } = await trx.raw<{ rows: Array<{ hunt_id: string; contacts: number }> }>(
    `SELECT hunt_id, contacts FROM hunt_daily_contacts WHERE day = ?::date AND hunt_id = ANY(?::uuid[])`,
    [day, huntIds],
  );
  return new Map(rows.map((r) => [r.hunt_id, r.contacts]));
}

/**
 * Adds the granted contacts (hunt id -> count) to today's counters where the total stays within the
 * hunt's daily_pacing_limit. Returns the hunts whose grant applied: all of them, unless a concurrent
 * transaction used the room since readPacing.
 */
export async function reservePacing(trx: Trx, granted: ReadonlyMap<string, number>, day: string): Promise<Set<string>> {
  if (granted.size === 0) return new Set();
  const ids = [...granted.keys()].sort(); // one lock order for every transaction
  const { rows } = await trx.raw<{ rows: Array<{ hunt_id: string }> }>(
    `INSERT INTO hunt_daily_contacts AS c (hunt_id, day, contacts)
     SELECT g.hunt_id, ?::date, g.n FROM unnest(?::uuid[], ?::int[]) AS g(hunt_id, n)
       JOIN hunts h ON h.id = g.hunt_id AND g.n <= coalesce(h.daily_pacing_limit, g.n)
     ON CONFLICT (hunt_id, day) DO UPDATE SET contacts = c.contacts + excluded.contacts
       WHERE c.contacts + excluded.contacts <= (SELECT coalesce(daily_pacing_limit, c.contacts + excluded.contacts) FROM hunts WHERE id = c.hunt_id)
     RETURNING c.hunt_id`,
    [day, ids, ids.map((id) => granted.get(id)!)],
  );
  return new Set(rows.map((r) => r.hunt_id));
}
