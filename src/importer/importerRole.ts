// The importer role, both a consumer and a producer: for each LobstrRunCompleted (lobstr.runs) it
// pages through the run's results and ingests them page by page through the same path as POST
// /v1/ads (AdScraped). The next page to fetch is stored with the page's ads, in one transaction, so a
// crash resumes at the next page and no page is ingested twice.
//
// One run never blocks the others (src/importer/importRun.ts): a run Lobstr refuses is failed, one it
// cannot serve now gets a next attempt by due time, which a poller resumes; either way the event's
// offset is committed and the next run is imported at once. A run whose importer died (or stopped)
// holding its lease is resumed by the poller once the lease is over.
//
// With LOBSTR_SQUIDS, the role also reconciles (src/importer/reconciler.ts): a run no webhook announced
// is found in its squid's run list and imported, once. Every Lobstr request of every importer shares
// the key's budget (src/importer/rateBudget.ts). Each run's result fields and phones are counted:
// a run without a single phone is a warning naming the scraper to use (src/importer/phoneReport.ts).
import type { Db } from '../db/knex.js';
import type { Outbox } from '../outbox/enqueue.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { RoleHandle } from '../platform/roleHandle.js';
import { insertLobstrRun } from '../sql/lobstr/insertLobstrRun.js';
import { selectDueLobstrRuns } from '../sql/lobstr/lobstrRuns.js';
import { Interrupted } from '../consumers/pipeline/consumedEvent.js';
import { WriteConflict } from '../consumers/pipeline/failures.js';
import type { StartConsumer } from '../consumers/pipeline/pipeline.js';
import { startPoller } from '../platform/poller.js';
import { importRun } from './importRun.js';
import { createLobstrClient, type LobstrClient, type LobstrConfig } from './lobstrClient.js';
import { logLastRun } from './phoneReport.js';
import { createLobstrBudget } from './rateBudget.js';
import { startReconciler } from './reconciler.js';

export interface ImporterLobstrSettings extends LobstrConfig {
  /** The squids to reconcile (LOBSTR_SQUIDS); none: the webhook alone brings runs. */
  squids: string[];
  reconcileEveryMs: number;
  reconcileLookbackDays: number;
}

export interface ImporterDeps {
  db: Db;
  consume: StartConsumer;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'lobstrPages' | 'lobstrRuns'>;
  lobstr: ImporterLobstrSettings;
  /** How often runs due for another attempt are looked for (ms). */
  pollMs?: number;
}

export async function startImporter(deps: ImporterDeps): Promise<RoleHandle> {
  const lobstr = createLobstrClient(
    deps.lobstr,
    createLobstrBudget({ db: deps.db, apiKey: deps.lobstr.apiKey, requestsPerSecond: deps.lobstr.requestsPerSecond }),
  );
  const log = deps.log.child({ component: 'importer' });
  // What the last run returned is worth a line at start, not a failed start.
  await logLastRun(deps.db, log).catch((error: unknown) =>
    log.warn({ err: error }, 'could not read the last Lobstr run'),
  );
  const consumer = await deps.consume({
    name: 'importer',
    topics: ['lobstr.runs'],
    eventTypes: ['LobstrRunCompleted'],
    batchSize: 1,
    stage: {
      name: 'import Lobstr run',
      run: async (events, hc) => {
        for (const event of events) {
          await insertLobstrRun(deps.db, {
            runId: event.value.runId,
            squid: event.value.squid,
            eventId: event.eventId,
          });
          await importRun(deps, lobstr, event.value.runId, hc);
        }
      },
    },
  });

  // Runs waiting for another attempt, and runs abandoned by an importer that died.
  const poller = startPoller({
    intervalMs: deps.pollMs ?? 5000,
    pass: (isRunning) => importDueRuns(deps, lobstr, log, isRunning),
    onError: (error) => log.error({ err: error }, 'Lobstr retry poll failed; trying again'),
  });
  const reconciler = startReconciling(deps, lobstr, log);
  return {
    async stop() {
      await reconciler?.stop();
      await poller.stop();
      await consumer.stop();
    },
  };
}

/** One poll: imports the runs due for another attempt, and those whose importer died, one by one. */
async function importDueRuns(deps: ImporterDeps, lobstr: LobstrClient, log: Logger, isRunning: () => boolean) {
  for (const runId of await selectDueLobstrRuns(deps.db, 10)) {
    if (!isRunning()) break;
    try {
      await importRun(deps, lobstr, runId, { log, isRunning, heartbeat: async () => {} });
    } catch (error) {
      if (error instanceof Interrupted) break; // stopping: the run resumes once its lease ends
      if (!(error instanceof WriteConflict)) throw error;
      log.info({ runId, reason: error.message }, 'another importer is importing this run; leaving it to it');
    }
  }
}

/** The reconciler of LOBSTR_SQUIDS; none (said once) without squids. */
function startReconciling(deps: ImporterDeps, lobstr: LobstrClient, log: Logger) {
  const { squids, reconcileEveryMs, reconcileLookbackDays } = deps.lobstr;
  const reconciler =
    squids.length > 0
      ? startReconciler({
          db: deps.db,
          outbox: deps.outbox,
          clock: deps.clock,
          log,
          lobstr,
          squids,
          everyMs: reconcileEveryMs,
          lookbackMs: reconcileLookbackDays * 86_400_000,
        })
      : undefined;
  if (!reconciler) log.info('LOBSTR_SQUIDS is empty: no reconciliation, a run whose webhook is lost is not imported');
  return reconciler;
}
