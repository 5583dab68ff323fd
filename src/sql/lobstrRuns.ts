// The importer's progress through a Lobstr run (table lobstr_runs): the next page to fetch is
// advanced in the transaction that ingests the page's ads, so a crash resumes at the next page.
import type { Db, Trx } from '../db/knex.js';

export interface LobstrRunRow {
  run_id: string;
  status: 'pending' | 'importing' | 'done';
  next_page: number;
  total_pages: number | null;
  ads_received: number;
  results_skipped: number;
}

export async function loadLobstrRun(db: Db, runId: string): Promise<LobstrRunRow | undefined> {
  return (await db('lobstr_runs').where({ run_id: runId }).first()) as LobstrRunRow | undefined;
}

export async function markLobstrRunImporting(db: Db, runId: string, now: Date): Promise<void> {
  await db('lobstr_runs').where({ run_id: runId, status: 'pending' }).update({ status: 'importing', updated_at: now });
}

/**
 * Moves the run from `page` to the next one, counting the page's ads and skipped results. Undefined
 * when the run is no longer at `page` (another importer advanced it meanwhile).
 */
export async function advanceLobstrRun(
  trx: Trx,
  runId: string,
  page: number,
  progress: { totalPages: number | null; totalResults: number | null; ads: number; skipped: number; now: Date },
): Promise<LobstrRunRow | undefined> {
  const [updated] = (await trx('lobstr_runs')
    .where({ run_id: runId, next_page: page })
    .update({
      next_page: page + 1,
      total_pages: progress.totalPages,
      total_results: progress.totalResults,
      ads_received: trx.raw('ads_received + ?', [progress.ads]),
      results_skipped: trx.raw('results_skipped + ?', [progress.skipped]),
      updated_at: progress.now,
    })
    .returning('*')) as LobstrRunRow[];
  return updated;
}

export async function completeLobstrRun(trx: Trx, runId: string, now: Date): Promise<void> {
  await trx('lobstr_runs').where({ run_id: runId }).update({ status: 'done', completed_at: now, updated_at: now });
}
