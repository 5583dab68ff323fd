// The request slots of one Lobstr API key, shared by every importer process (table lobstr_rate_budgets):
// each request reserves the next free slot, `spacingMs` after the previous one and not before a back-off
// Lobstr asked for, in one statement under the row's lock, so two processes never get the same slot.
// Times are the database's (clock_timestamp()): one clock for every process, whatever their own say.
import type { Db } from '../../db/knex.js';

/** Reserves the key's next slot; resolves with how long to wait for it (ms, 0 when it is now). */
export async function reserveLobstrSlot(db: Db, keyHash: string, spacingMs: number): Promise<number> {
  const spacing = spacingMs / 1000;
  const { rows } = await db.raw<{ rows: Array<{ wait_ms: number }> }>(
    `INSERT INTO lobstr_rate_budgets AS b (key_hash, next_slot_at)
       VALUES (?, clock_timestamp() + make_interval(secs => ?))
     ON CONFLICT (key_hash) DO UPDATE
       SET next_slot_at = greatest(b.next_slot_at, clock_timestamp(), coalesce(b.blocked_until, '-infinity')) + make_interval(secs => ?),
           updated_at = clock_timestamp()
     RETURNING greatest(0, extract(epoch FROM (next_slot_at - make_interval(secs => ?) - clock_timestamp())) * 1000)::float8 AS wait_ms`,
    [keyHash, spacing, spacing, spacing],
  );
  return rows[0]?.wait_ms ?? 0;
}
