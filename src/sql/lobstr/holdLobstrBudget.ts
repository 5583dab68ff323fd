// Lobstr asked every caller of this key to wait (a 429's Retry-After, or X-RateLimit-* saying the window
// is spent): no slot of the key is given before then, to any importer process (table lobstr_rate_budgets).
import type { Db } from '../../db/knex.js';

export async function holdLobstrBudget(db: Db, keyHash: string, forMs: number): Promise<void> {
  const secs = forMs / 1000;
  await db.raw(
    `INSERT INTO lobstr_rate_budgets AS b (key_hash, next_slot_at, blocked_until)
       VALUES (?, clock_timestamp(), clock_timestamp() + make_interval(secs => ?))
     ON CONFLICT (key_hash) DO UPDATE
       SET blocked_until = greatest(coalesce(b.blocked_until, '-infinity'), clock_timestamp() + make_interval(secs => ?)),
           updated_at = clock_timestamp()`,
    [keyHash, secs, secs],
  );
}
