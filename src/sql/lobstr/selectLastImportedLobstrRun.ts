import type { Db } from '../../db/knex.js';

export interface ImportedLobstrRun {
  run_id: string;
  squid: string | null;
  trigger: string | null;
  completed_at: Date;
  ads_received: number;
  results_skipped: number;
  results_with_phone: number;
  mobile_disagreements: number;
  result_fields: string[];
}

/** The run imported last (with results), or undefined when none was. */
export async function selectLastImportedLobstrRun(db: Db): Promise<ImportedLobstrRun | undefined> {
  return (await db('lobstr_runs')
    .where({ status: 'done' })
    .whereRaw('ads_received + results_skipped > 0')
    .orderBy('completed_at', 'desc')
    .first(
      'run_id',
      'squid',
      'trigger',
      'completed_at',
      'ads_received',
      'results_skipped',
      'results_with_phone',
      'mobile_disagreements',
      'result_fields',
    )) as ImportedLobstrRun | undefined;
}
