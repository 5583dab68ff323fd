import type { Db } from '../../db/knex.js';

/** A squid's pass is over (`error` when it failed): the next one is due at `nextAt`; the lease is released. */
export async function endLobstrSquidPass(
  db: Db,
  squid: string,
  pass: { now: Date; nextAt: Date; runsFound: number; error: string | null },
): Promise<void> {
  await db('lobstr_squids')
    .where({ squid })
    .update({
      next_pass_at: pass.nextAt,
      locked_until: null,
      last_pass_at: pass.now,
      last_error: pass.error,
      runs_found: db.raw('runs_found + ?', [pass.runsFound]),
      updated_at: db.fn.now(),
    });
}
