// One reconciliation pass over one squid: every run Lobstr finished that lobstr_runs does not know is
// recorded with its LobstrRunCompleted (src/producers/lobstr/recordLobstrRun.ts, as the webhook does),
// whatever happened to its webhook; recording is idempotent, so a run the webhook brought (before, or
// at the same moment) is imported once. A run still running is recorded as waiting and looked at again
// by a later pass; a run aborted or failed on Lobstr's side, or that ended before the look-back, is
// recorded as skipped with the reason, so that no pass asks about it again.
//
// Lobstr lists a squid's runs newest first: the pass reads pages until one holds no run it did not
// know (every older run was known at the previous pass), the last page, or a run that ended before the
// look-back (LOBSTR_RECONCILE_LOOKBACK_DAYS: a squid's whole history is not imported on the first day).
// Then it asks one by one about the runs it saw unfinished earlier and did not meet on those pages.
import type { Db } from '../db/knex.js';
import type { Outbox } from '../outbox/enqueue.js';
import type { Clock } from '../platform/clock.js';
import { recordLobstrRun } from '../producers/lobstr/recordLobstrRun.js';
import { recordWaitingLobstrRun } from '../sql/lobstr/recordWaitingLobstrRun.js';
import { selectLobstrRunStatuses } from '../sql/lobstr/selectLobstrRunStatuses.js';
import { selectWaitingLobstrRuns } from '../sql/lobstr/selectWaitingLobstrRuns.js';
import { skipLobstrRun } from '../sql/lobstr/skipLobstrRun.js';
import { LobstrRefusedError, type LobstrClient, type LobstrContext } from './lobstrClient.js';
import { parseRun, parseRunsPage, runState, type LobstrRunSummary } from './runStates.js';

export interface ReconcileDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  lobstr: LobstrClient;
  lookbackMs: number;
}

export interface SquidPass {
  pages: number;
  /** Runs recorded for import by this pass (the webhook had not brought them). */
  recorded: number;
  waiting: number;
  skipped: number;
}

type Settled = 'recorded' | 'known' | 'waiting' | 'skipped' | 'too_old';

/** Pages of a squid's runs read in one pass at most (100 runs each). */
const MAX_PAGES = 20;
/** Runs seen unfinished earlier, asked about one by one in one pass at most. */
const MAX_WAITING = 50;

export async function reconcileSquid(deps: ReconcileDeps, squid: string, hc: LobstrContext): Promise<SquidPass> {
  const pass: SquidPass = { pages: 0, recorded: 0, waiting: 0, skipped: 0 };
  const count = (s: Settled) => {
    if (s === 'recorded' || s === 'waiting') pass[s]++;
    else if (s === 'skipped' || s === 'too_old') pass.skipped++;
  };
  const met = new Set<string>();
  for (let page = 1; page <= MAX_PAGES && hc.isRunning(); page++) {
    const { runs, totalPages } = parseRunsPage(await deps.lobstr.listRuns(squid, page, hc));
    pass.pages++;
    const known = await selectLobstrRunStatuses(
      deps.db,
      runs.map((r) => r.id),
    );
    let unknown = 0;
    let horizon = false;
    for (const run of runs) {
      met.add(run.id);
      const status = known.get(run.id);
      if (status !== undefined && status !== 'waiting') continue;
      if (status === undefined) unknown++;
      const settled = await settle(deps, squid, run, hc);
      count(settled);
      if (settled === 'too_old') {
        horizon = true;
        break;
      }
    }
    if (horizon || unknown === 0 || runs.length === 0 || (totalPages !== null && page >= totalPages)) break;
  }
  for (const runId of await selectWaitingLobstrRuns(deps.db, squid, MAX_WAITING)) {
    if (met.has(runId) || !hc.isRunning()) continue;
    const run = await getRun(deps, runId, hc);
    if (run === null) {
      await skipLobstrRun(deps.db, { runId, squid, reason: 'Lobstr no longer knows this run', now: deps.clock.now() });
      pass.skipped++;
      continue;
    }
    count(await settle(deps, squid, run, hc));
  }
  return pass;
}

/** Records what is to be done with a run that lobstr_runs does not know, or knows as waiting. */
async function settle(
  deps: ReconcileDeps,
  squid: string,
  listed: LobstrRunSummary,
  hc: LobstrContext,
): Promise<Settled> {
  const state = runState(listed);
  const now = deps.clock.now();
  if (state === 'unfinished') {
    // A run paused for good would be asked about at every pass: past the look-back, it is let go.
    if (listed.createdAt !== null && listed.createdAt.getTime() < now.getTime() - deps.lookbackMs) {
      await skipLobstrRun(deps.db, {
        runId: listed.id,
        squid,
        reason: `still ${listed.status ?? 'unfinished'} after the reconciliation's look-back`,
        now,
      });
      return 'skipped';
    }
    await recordWaitingLobstrRun(deps.db, { runId: listed.id, squid, lobstrStatus: listed.status });
    return 'waiting';
  }
  if (state === 'ended') {
    const reason = `Lobstr run ended ${listed.status ?? 'without results'}${listed.doneReason ? ` (${listed.doneReason})` : ''}: nothing to import`;
    await skipLobstrRun(deps.db, { runId: listed.id, squid, reason, now });
    return 'skipped';
  }
  // The list says done; the run itself says whether its results are exported yet, and when it ended.
  const run = listed.endedAt !== null && listed.exportDone !== null ? listed : await getRun(deps, listed.id, hc);
  if (run === null) {
    await skipLobstrRun(deps.db, { runId: listed.id, squid, reason: 'Lobstr no longer knows this run', now });
    return 'skipped';
  }
  if (runState(run) !== 'finished') {
    await recordWaitingLobstrRun(deps.db, {
      runId: run.id,
      squid,
      lobstrStatus: run.exportDone === false ? 'done, export not ready' : run.status,
    });
    return 'waiting';
  }
  const endedAt = run.endedAt ?? run.createdAt;
  if (endedAt !== null && endedAt.getTime() < now.getTime() - deps.lookbackMs) {
    await skipLobstrRun(deps.db, {
      runId: run.id,
      squid,
      reason: `ended ${endedAt.toISOString()}, before the reconciliation's look-back`,
      now,
    });
    return 'too_old';
  }
  const recorded = await recordLobstrRun(deps.db, deps.outbox, {
    runId: run.id,
    squid,
    event: 'run.done',
    notifiedAt: now.getTime(),
    trigger: 'reconcile',
  });
  return recorded ? 'recorded' : 'known';
}

/** GET /v1/runs/<hash>; null when Lobstr no longer knows the run (deleted). */
async function getRun(deps: ReconcileDeps, runId: string, hc: LobstrContext): Promise<LobstrRunSummary | null> {
  try {
    // An answer without the run's fields says nothing: the run waits for the next pass.
    const body = await deps.lobstr.getRun(runId, hc);
    return (
      parseRun(body) ?? {
        id: runId,
        status: null,
        isDone: null,
        exportDone: null,
        endedAt: null,
        createdAt: null,
        doneReason: null,
        squid: null,
      }
    );
  } catch (error) {
    if (error instanceof LobstrRefusedError && error.status === 404) return null;
    throw error;
  }
}
