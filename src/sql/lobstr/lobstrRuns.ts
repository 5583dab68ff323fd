// The importer's progress through a Lobstr run (table lobstr_runs): the next page to fetch is
// advanced in the transaction that ingests the page's ads, so a crash resumes at the next page; a lease
// keeps two importers off one run; a run Lobstr cannot serve now waits for its next attempt by due time.
import type { Db, Trx } from '../../db/knex.js';

export interface LobstrRunRow {
  run_id: string;
  squid: string | null;
  status: 'waiting' | 'pending' | 'importing' | 'retrying' | 'done' | 'failed' | 'skipped';
  next_page: number;
  total_pages: number | null;
  ads_received: number;
  results_skipped: number;
  attempts: number;
  event_id: string | null;
  /** What brought the run: the webhook or the reconciliation (null: recorded before either was told apart). */
  trigger: 'webhook' | 'reconcile' | null;
  /** Every field the run's results carried so far, sorted. */
  result_fields: string[];
  results_with_phone: number;
  mobile_disagreements: number;
  /** When the run was first announced (webhook or reconciliation). */
  created_at: Date;
}

/**
 * Leases a run that is not finished (not done, not failed, not leased by another importer) for
 * `leaseMs`; undefined when it is not to be imported now.
 */
export async function claimLobstrRun(db: Db, runId: string, leaseMs: number): Promise<LobstrRunRow | undefined> {
  const [row] = (await db('lobstr_runs')
    .where({ run_id: runId })
    .whereIn('status', ['pending', 'importing', 'retrying'])
    .where((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', db.fn.now()))
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .update({
      status: 'importing',
      locked_until: db.raw(`now() + make_interval(secs => ?)`, [leaseMs / 1000]),
      updated_at: db.fn.now(),
    })
    .returning('*')) as LobstrRunRow[];
  return row;
}

/** Runs waiting for their next attempt, and runs whose importer died holding them (lease over). */
export async function selectDueLobstrRuns(db: Db, limit: number): Promise<string[]> {
  return (await db('lobstr_runs')
    .whereIn('status', ['importing', 'retrying'])
    .where((q) => q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', db.fn.now()))
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .orderBy('next_attempt_at')
    .limit(limit)
    .pluck('run_id')) as string[];
}

/**
 * Moves the run from `page` to the next one, counting the page's ads, skipped results, results with a
 * phone and is_mobile disagreements, adding the fields its results carried, and renews the lease.
 * Undefined when the run is no longer at `page` (another importer advanced it meanwhile).
 */
export async function advanceLobstrRun(
  trx: Trx,
  runId: string,
  page: number,
  progress: {
    totalPages: number | null;
    totalResults: number | null;
    ads: number;
    skipped: number;
    withPhone: number;
    mobileDisagreements: number;
    fields: string[];
    now: Date;
    leaseMs: number;
  },
): Promise<LobstrRunRow | undefined> {
  const [updated] = (await trx('lobstr_runs')
    .where({ run_id: runId, next_page: page })
    .update({
      next_page: page + 1,
      total_pages: progress.totalPages,
      total_results: progress.totalResults,
      ads_received: trx.raw('ads_received + ?', [progress.ads]),
      results_skipped: trx.raw('results_skipped + ?', [progress.skipped]),
      results_with_phone: trx.raw('results_with_phone + ?', [progress.withPhone]),
      mobile_disagreements: trx.raw('mobile_disagreements + ?', [progress.mobileDisagreements]),
      result_fields: trx.raw('ARRAY(SELECT DISTINCT f FROM unnest(result_fields || ?::text[]) AS f ORDER BY f)', [
        progress.fields,
      ]),
      locked_until: trx.raw(`now() + make_interval(secs => ?)`, [progress.leaseMs / 1000]),
      updated_at: progress.now,
    })
    .returning('*')) as LobstrRunRow[];
  return updated;
}

export async function completeLobstrRun(db: Db | Trx, runId: string, now: Date): Promise<void> {
  await db('lobstr_runs').where({ run_id: runId }).update({
    status: 'done',
    completed_at: now,
    updated_at: now,
    locked_until: null,
    next_attempt_at: null,
    last_error: null,
  });
}

/** Lobstr refused the run for good (an unknown or deleted run, a refused key): the importer moves on. */
export async function failLobstrRun(db: Db, runId: string, reason: string, now: Date): Promise<void> {
  await db('lobstr_runs').where({ run_id: runId }).update({
    status: 'failed',
    last_error: reason,
    failed_at: now,
    updated_at: now,
    locked_until: null,
    next_attempt_at: null,
  });
}

/** Lobstr cannot serve the run now: its next attempt is due at `at`; the lease is released. */
export async function retryLobstrRunLater(
  db: Db,
  runId: string,
  retry: { at: Date; reason: string; now: Date },
): Promise<void> {
  await db('lobstr_runs')
    .where({ run_id: runId })
    .update({
      status: 'retrying',
      attempts: db.raw('attempts + 1'),
      next_attempt_at: retry.at,
      last_error: retry.reason,
      updated_at: retry.now,
      locked_until: null,
    });
}
