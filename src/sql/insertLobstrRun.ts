import type { Db, Trx } from '../db/knex.js';

/** Records a Lobstr run once, however often it is announced; false when it was known already. */
export async function insertLobstrRun(db: Db | Trx, runId: string, squid: string | null): Promise<boolean> {
  const inserted = await db('lobstr_runs').insert({ run_id: runId, squid }).onConflict('run_id').ignore().returning('run_id');
  return inserted.length > 0;
}
