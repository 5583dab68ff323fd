import type { Db } from '../../db/knex.js';

/** The runs of a squid seen unfinished by an earlier reconciliation, oldest first. */
export async function selectWaitingLobstrRuns(db: Db, squid: string, limit: number): Promise<string[]> {
  return (await db('lobstr_runs')
    .where({ squid, status: 'waiting' })
    .orderBy('created_at')
    .limit(limit)
    .pluck('run_id')) as string[];
}
