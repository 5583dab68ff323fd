// Autovacuum's work, done by the service on a PostgreSQL server that runs without autovacuum.
//
// Why: the planner chooses each plan from the tables' statistics, and the busiest tables churn with
// every ad (outbox rows inserted then deleted, inbox rows, messages updated at their claim and settle).
// Without ANALYZE, a table the planner has never seen filled is planned as if it were nearly empty: a
// lookup of a few hundred messages by id walked the partial index of pending messages and filtered tens
// of thousands of rows, more as the backlog it was meant to drain grew. Without VACUUM, dead row
// versions pile up under every query on the churned tables (docs/ARCHITECTURE.md section 7).
//
// What: every `everyMs`, the tables whose dead rows or changes since their last ANALYZE pass
// autovacuum's own thresholds (autovacuum_*_threshold + autovacuum_*_scale_factor x live rows, a table's
// own settings first: the outbox's migration sets some) are vacuumed or analysed, as autovacuum would
// decide, only more often than its one-minute nap, so that a new deployment filling its tables is
// planned right within seconds. One instance does it at a time (a session-level advisory lock on a
// connection of its own). A server that runs autovacuum is left to it; with TABLE_UPKEEP=off, a server
// without it gets a warning instead. VACUUM and ANALYZE take no lock that blocks reads or writes.
import pg from 'pg';
import type { Logger } from '../platform/logger.js';
import { advisoryUnlock, tryAdvisoryLock } from '../sql/ops/advisoryLocks.js';
import { selectTableChurn, type TableChurn } from '../sql/ops/selectTableChurn.js';
import { ownConnection } from './ownConnection.js';

/** The advisory lock namespace 'HMTU' (hunt-matcher table upkeep), key 0. */
const UPKEEP_NS = 0x484d5455;

export const AUTOVACUUM_OFF_WARNING =
  'PostgreSQL runs without autovacuum (autovacuum = off) and TABLE_UPKEEP=off: the outbox, inbox and messages tables will bloat, their plans go stale and the service slow down as it runs; turn autovacuum on, or VACUUM ANALYZE them on a schedule';
export const UPKEEP_ON =
  'PostgreSQL runs without autovacuum: this service vacuums and analyses its own tables as autovacuum would (TABLE_UPKEEP=off leaves them to you)';

export interface TableUpkeepOptions {
  databaseUrl: string;
  log: Logger;
  /** False: only warn when the server runs without autovacuum. */
  enabled: boolean;
  everyMs: number;
  /** Counts each VACUUM and ANALYZE run, by table. */
  onAction?: (table: string, action: 'vacuum' | 'analyze') => void;
}

export interface TableUpkeep {
  stop(): Promise<void>;
}

export interface Thresholds {
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  analyzeThreshold: number;
  analyzeScaleFactor: number;
}

/** What autovacuum would do to this table now: its thresholds, the table's own settings first. */
export function upkeepOf(t: TableChurn, server: Thresholds): { vacuum: boolean; analyze: boolean } {
  const option = (name: string, fallback: number) => {
    const found = t.options?.find((o) => o.startsWith(`${name}=`));
    return found ? Number(found.slice(name.length + 1)) : fallback;
  };
  const vacuumAt =
    option('autovacuum_vacuum_threshold', server.vacuumThreshold) +
    option('autovacuum_vacuum_scale_factor', server.vacuumScaleFactor) * t.live;
  const analyzeAt =
    option('autovacuum_analyze_threshold', server.analyzeThreshold) +
    option('autovacuum_analyze_scale_factor', server.analyzeScaleFactor) * t.live;
  return { vacuum: t.dead > vacuumAt, analyze: t.changed > analyzeAt };
}

/**
 * Starts the upkeep loop. Its first pass reads the server's settings: with autovacuum on, the loop ends;
 * off, it warns (TABLE_UPKEEP=off) or says once that it does the work. A database that does not answer
 * is left to /readyz and tried again at the next pass.
 */
export function startTableUpkeep(o: TableUpkeepOptions): TableUpkeep {
  const log = o.log.child({ component: 'table-upkeep' });
  /** Undefined until read; null once there is nothing to do (autovacuum on, or only a warning). */
  let server: Thresholds | null | undefined;
  let failing = false;

  const connection = ownConnection(o.databaseUrl, 'hunt-matcher-table-upkeep');

  let stopping = false;
  let wake: (() => void) | undefined;
  const pass = async () => {
    const c = await connection.get();
    if (server === undefined) server = await readThresholds(c, o, log);
    if (server === null || !(await tryAdvisoryLock(c, UPKEEP_NS, 0))) return;
    try {
      for (const t of await selectTableChurn(c)) {
        if (stopping) return;
        await upkeepTable(c, o, log, t, server);
      }
    } finally {
      await advisoryUnlock(c, UPKEEP_NS, 0);
    }
  };

  const loop = (async () => {
    for (let first = true; !stopping && server !== null; first = false) {
      if (!first)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.everyMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      if (stopping) break;
      try {
        await pass();
        failing = false;
      } catch (error) {
        // The database's own state is /readyz's to report; said once per outage.
        if (!failing) log.debug({ err: error }, 'table upkeep pass failed; trying again');
        failing = true;
        await connection.drop();
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await connection.drop();
    },
  };
}

/** The server's autovacuum thresholds, or null when there is nothing for the service to do. */
async function readThresholds(c: pg.Client, o: TableUpkeepOptions, log: Logger): Promise<Thresholds | null> {
  const { rows } = await c.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum', 'autovacuum_vacuum_threshold',
       'autovacuum_vacuum_scale_factor', 'autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor')`,
  );
  const setting = (name: string) => Number(rows.find((r) => r.name === name)?.setting);
  if (rows.find((r) => r.name === 'autovacuum')?.setting === 'on') return null;
  if (!o.enabled) {
    log.warn(AUTOVACUUM_OFF_WARNING);
    return null;
  }
  log.info({ everyMs: o.everyMs }, UPKEEP_ON);
  return {
    vacuumThreshold: setting('autovacuum_vacuum_threshold'),
    vacuumScaleFactor: setting('autovacuum_vacuum_scale_factor'),
    analyzeThreshold: setting('autovacuum_analyze_threshold'),
    analyzeScaleFactor: setting('autovacuum_analyze_scale_factor'),
  };
}

/** VACUUM and/or ANALYZE of one table, when its churn passes the server's thresholds. */
async function upkeepTable(c: pg.Client, o: TableUpkeepOptions, log: Logger, t: TableChurn, server: Thresholds) {
  const { vacuum, analyze } = upkeepOf(t, server);
  if (!vacuum && !analyze) return;
  const what = vacuum && analyze ? 'VACUUM (ANALYZE)' : vacuum ? 'VACUUM' : 'ANALYZE';
  const started = Date.now();
  await c.query(`${what} ${c.escapeIdentifier(t.table)}`);
  if (vacuum) o.onAction?.(t.table, 'vacuum');
  if (analyze) o.onAction?.(t.table, 'analyze');
  log.debug(
    { table: t.table, what, dead: t.dead, changed: t.changed, live: t.live, ms: Date.now() - started },
    'table upkeep',
  );
}
