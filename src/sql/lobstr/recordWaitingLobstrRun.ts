import type { Db } from '../../db/knex.js';

/** A run the reconciliation saw unfinished on Lobstr's side: known (so that a later pass asks about it again), not to import yet. */
export async function recordWaitingLobstrRun(
  db: Db,
  run: { runId: string; squid: string; lobstrStatus: string | null },
): Promise<void> {
  await db('lobstr_runs')
    .insert({
      run_id: run.runId,
      squid: run.squid,
      status: 'waiting',
      last_error: `Lobstr status ${run.lobstrStatus ?? 'unknown'}`,
    })
    .onConflict('run_id')
    .merge({ last_error: `Lobstr status ${run.lobstrStatus ?? 'unknown'}`, updated_at: db.fn.now() })
    .where('lobstr_runs.status', 'waiting');
}
