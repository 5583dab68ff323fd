// The importer's reconciliation: every LOBSTR_RECONCILE_EVERY_MS, each squid of LOBSTR_SQUIDS is passed
// over (src/importer/reconcileSquid.ts), so that a run whose webhook was lost (an outage longer than
// Lobstr's retries, a webhook never configured) is imported all the same, once.
//
// Any number of importers may run it. Each squid's pass is claimed in PostgreSQL (lobstr_squids: due
// time and lease), so one importer reconciles a squid per period; were two passes to overlap anyway (a
// lease outlived), it would be harmless: recording a run is idempotent and every request goes through
// the key's shared budget. Due times come from the injected clock; the claim is tried every
// LOBSTR_RECONCILE_EVERY_MS / 60 (between 250 ms and 5 s), so a pass starts at most that late.
import type { Db } from '../db/knex.js';
import type { Outbox } from '../outbox/enqueue.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { startPoller, type Poller } from '../platform/poller.js';
import { claimLobstrSquid } from '../sql/lobstr/claimLobstrSquid.js';
import { endLobstrSquidPass } from '../sql/lobstr/endLobstrSquidPass.js';
import { Interrupted } from '../consumers/pipeline/consumedEvent.js';
import { LobstrRefusedError, type LobstrClient } from './lobstrClient.js';
import { reconcileSquid } from './reconcileSquid.js';

export interface ReconcilerDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  lobstr: LobstrClient;
  squids: string[];
  everyMs: number;
  lookbackMs: number;
}

/** A failed pass is tried again this soon (or at the next period, when that is sooner). */
const RETRY_FAILED_PASS_MS = 60_000;

export function startReconciler(deps: ReconcilerDeps): Poller {
  const log = deps.log.child({ component: 'reconciler' });
  // Long enough for a first pass over a week of a busy squid at 2 requests a second.
  const leaseMs = Math.max(10 * 60_000, deps.everyMs);
  log.info(
    { squids: deps.squids, everyMs: deps.everyMs },
    'Lobstr reconciliation: the runs of these squids are checked every period',
  );
  return startPoller({
    intervalMs: Math.min(5000, Math.max(250, Math.floor(deps.everyMs / 60))),
    onError: (error) => log.error({ err: error }, 'Lobstr reconciliation failed; trying again'),
    pass: async (isRunning) => {
      for (const squid of deps.squids) {
        if (!isRunning()) break;
        const started = deps.clock.now();
        if (!(await claimLobstrSquid(deps.db, squid, { now: started, leaseMs }))) continue;
        const slog = log.child({ squid });
        try {
          const pass = await reconcileSquid(deps, squid, { log: slog, isRunning, heartbeat: async () => {} });
          await endLobstrSquidPass(deps.db, squid, {
            now: deps.clock.now(),
            nextAt: new Date(started.getTime() + deps.everyMs),
            runsFound: pass.recorded,
            error: null,
          });
          const line = { ...pass, nextInMs: deps.everyMs };
          if (pass.recorded > 0)
            slog.info(
              line,
              `Lobstr reconciliation: ${pass.recorded} finished run(s) no webhook had brought, imported now`,
            );
          else slog.debug(line, 'Lobstr reconciliation: nothing new');
        } catch (error) {
          // Stopping: the pass is due again at once, for whichever importer is still running; no failure of Lobstr's.
          const stopped = error instanceof Interrupted || !isRunning();
          const message = stopped ? null : error instanceof Error ? error.message : String(error);
          const nextAt = stopped ? started : new Date(started.getTime() + Math.min(deps.everyMs, RETRY_FAILED_PASS_MS));
          await endLobstrSquidPass(deps.db, squid, { now: deps.clock.now(), nextAt, runsFound: 0, error: message });
          if (stopped) break;
          if (error instanceof LobstrRefusedError) {
            slog.error(
              { status: error.status, reason: message },
              'Lobstr reconciliation refused: check LOBSTR_SQUIDS (the squid ids) and LOBSTR_API_KEY',
            );
          } else {
            slog.warn(
              { reason: message, retryInMs: nextAt.getTime() - started.getTime() },
              'Lobstr reconciliation failed for this squid; it is tried again',
            );
          }
        }
      }
    },
  });
}
