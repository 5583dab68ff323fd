// The latest Lobstr runs and where each stands, for the console: a run that keeps failing says why there.
import type { Db } from '../../db/knex.js';

export interface LobstrRunSummary {
  runId: string;
  squid: string | null;
  status: string;
  trigger: string | null;
  nextPage: number;
  totalPages: number | null;
  adsReceived: number;
  resultsSkipped: number;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export async function listLobstrRuns(db: Db, limit: number): Promise<LobstrRunSummary[]> {
  const rows = (await db('lobstr_runs')
    .select(
      'run_id',
      'squid',
      'status',
      'trigger',
      'next_page',
      'total_pages',
      'ads_received',
      'results_skipped',
      'attempts',
      'last_error',
      'next_attempt_at',
      'created_at',
      'updated_at',
    )
    .orderBy('created_at', 'desc')
    .limit(limit)) as Array<{
    run_id: string;
    squid: string | null;
    status: string;
    trigger: string | null;
    next_page: number;
    total_pages: number | null;
    ads_received: number;
    results_skipped: number;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date | null;
    created_at: Date;
    updated_at: Date;
  }>;
  return rows.map((r) => ({
    runId: r.run_id,
    squid: r.squid,
    status: r.status,
    trigger: r.trigger,
    nextPage: r.next_page,
    totalPages: r.total_pages,
    adsReceived: r.ads_received,
    resultsSkipped: r.results_skipped,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}
