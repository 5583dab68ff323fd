import type { Db, Trx } from '../db/knex.js';

/** Records a Lobstr run once, however often it is announced; false when it was known already. */
export async function insertLobstrRun(db: Db | Trx, run: { runId: string; squid: string | null; eventId?: string }): Promise<boolean> {
  const inserted = await db('lobstr_runs')
    .insert({ run_id: run.runId, squid: run.squid, event_id: run.eventId ?? null })
    .onConflict('run_id')
    .ignore()
    .returning('run_id');
  return inserted.length > 0;
}
