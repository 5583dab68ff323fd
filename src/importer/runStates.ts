// Lobstr's runs as the reconciliation reads them. Pure.
//
// What Lobstr documents (https://docs.lobstr.io/docs/list-runs and /docs/get-run):
// - GET /v1/runs?squid=<hash>&page=N&limit=M (limit default 50, max 100), newest first, in the list
//   envelope of every endpoint ({total_results, limit, page, total_pages, next, previous, data}); each run
//   has id, status, is_done, total_results, duration, credit_used, done_reason.
// - GET /v1/runs/<hash>: the run with, besides, created_at, started_at, ended_at (ISO 8601 without a zone:
//   UTC, like the webhook's timestamp), export_done (the results are exported), done_reason_desc, squid.
// - Statuses: pending, running, uploading (collected, exporting), paused (may resume) are unfinished;
//   done is finished with its results; aborted and error ended without a run.done (the webhook announces
//   only done runs, and so does the reconciliation).
import { isObject, optionalFlag, text, utcInstant, wholeNumber } from './resultValues.js';

export interface LobstrRunSummary {
  id: string;
  /** Lowercase, as Lobstr's examples write it ("done"); null when absent. */
  status: string | null;
  isDone: boolean | null;
  /** Only GET /v1/runs/<hash> says it; null otherwise. */
  exportDone: boolean | null;
  endedAt: Date | null;
  createdAt: Date | null;
  doneReason: string | null;
  squid: string | null;
}

export type RunState = 'finished' | 'unfinished' | 'ended';

const UNFINISHED = new Set(['pending', 'running', 'uploading', 'paused']);
const ENDED = new Set(['aborted', 'error']);

/** One run of a list page or of GET /v1/runs/<hash>; null when it has no id. */
export function parseRun(value: unknown): LobstrRunSummary | null {
  if (!isObject(value) || Array.isArray(value)) return null;
  const id = text(value.id);
  if (id === null) return null;
  const date = (v: unknown) => {
    const iso = utcInstant(v);
    return iso === null ? null : new Date(iso);
  };
  const squid = isObject(value.squid) ? text(value.squid.id) : text(value.squid);
  return {
    id,
    status: text(value.status)?.toLowerCase() ?? null,
    isDone: optionalFlag(value.is_done),
    exportDone: optionalFlag(value.export_done),
    endedAt: date(value.ended_at),
    createdAt: date(value.created_at),
    doneReason: text(value.done_reason),
    squid,
  };
}

export function parseRunsPage(body: unknown): { runs: LobstrRunSummary[]; totalPages: number | null } {
  const b = isObject(body) && !Array.isArray(body) ? body : {};
  const list = Array.isArray(body) ? body : Array.isArray(b.data) ? b.data : [];
  const runs = list.map(parseRun).filter((r): r is LobstrRunSummary => r !== null);
  let totalPages = wholeNumber(b.total_pages);
  const page = wholeNumber(b.page);
  if (totalPages === null && b.next === null && page !== null) totalPages = page;
  return { runs, totalPages };
}

/**
 * finished: done, its results to import (once exported: `exportDone` false means not yet);
 * unfinished: to look at again later; ended: aborted or failed on Lobstr's side, nothing to import.
 * A status Lobstr adds later counts by is_done: finished when done, unfinished otherwise.
 */
export function runState(run: LobstrRunSummary): RunState {
  if (run.status === 'done') return run.exportDone === false ? 'unfinished' : 'finished';
  if (run.status !== null && ENDED.has(run.status)) return 'ended';
  if (run.status !== null && UNFINISHED.has(run.status)) return 'unfinished';
  return run.isDone === true && run.exportDone !== false ? 'finished' : 'unfinished';
}
