import type { Db } from '../../db/knex.js';

/** The status of each of these runs that lobstr_runs knows (unknown runs are absent from the map). */
export async function selectLobstrRunStatuses(db: Db, runIds: string[]): Promise<Map<string, string>> {
  if (runIds.length === 0) return new Map();
  const rows = (await db('lobstr_runs').whereIn('run_id', runIds).select('run_id', 'status')) as Array<{
    run_id: string;
    status: string;
  }>;
  return new Map(rows.map((r) => [r.run_id, r.status]));
}
