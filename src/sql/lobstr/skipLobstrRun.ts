import type { Db } from '../../db/knex.js';

/**
 * A run with nothing to import (aborted or failed on Lobstr's side, older than the reconciliation's
 * look-back, or gone from Lobstr): known, with the reason, so that no later pass asks about it again.
 * A run recorded for import meanwhile (by the webhook) is left alone.
 */
export async function skipLobstrRun(
  db: Db,
  run: { runId: string; squid: string; reason: string; now: Date },
): Promise<void> {
  await db('lobstr_runs')
    .insert({
      run_id: run.runId,
      squid: run.squid,
      status: 'skipped',
      last_error: run.reason,
      trigger: 'reconcile',
      completed_at: run.now,
    })
    .onConflict('run_id')
    .merge({ status: 'skipped', last_error: run.reason, completed_at: run.now, updated_at: db.fn.now() })
    .where('lobstr_runs.status', 'waiting');
}
