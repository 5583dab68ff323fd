// Autovacuum's work, for a PostgreSQL server that runs without it (this machine's runs with
// autovacuum = off, as it came): a production server vacuums and analyses the service's busy tables as
// they churn, and a long benchmark on a server that does not measures a world no user has. Every
// `everyS` seconds (autovacuum_naptime, 1 min by default), each table whose dead rows pass autovacuum's
// threshold (autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x live rows, the table's own
// settings first: the outbox's migration sets its own) is vacuumed, and each whose changes since its
// last ANALYZE pass the analyse threshold is analysed, as autovacuum would decide.
import type { Db } from '../../src/db/knex.js';
import { autovacuumEnabled } from '../../src/db/autovacuum.js';

export interface AutovacuumStandIn {
  /** False when the server runs autovacuum itself (the stand-in does nothing then). */
  active: boolean;
  vacuums: number;
  analyses: number;
  stop(): Promise<void>;
}

interface TableStats {
  relname: string;
  live: number;
  dead: number;
  changed: number;
  options: string[] | null;
}

const option = (options: string[] | null, name: string, fallback: number) => {
  const found = options?.find((o) => o.startsWith(`${name}=`));
  return found ? Number(found.slice(name.length + 1)) : fallback;
};

export async function startAutovacuumStandIn(
  db: Db,
  options: { everyS?: number; log?: (m: string) => void } = {},
): Promise<AutovacuumStandIn> {
  const everyMs = (options.everyS ?? 60) * 1000;
  const handle: AutovacuumStandIn = {
    active: !(await autovacuumEnabled(db)),
    vacuums: 0,
    analyses: 0,
    stop: async () => {},
  };
  if (!handle.active) return handle;
  const { rows: settings } = await db.raw<{ rows: Array<{ name: string; setting: string }> }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('autovacuum_vacuum_threshold', 'autovacuum_vacuum_scale_factor', 'autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor')",
  );
  const server = Object.fromEntries(settings.map((r) => [r.name, Number(r.setting)]));
  let stopping = false;
  let wake: (() => void) | undefined;
  const pass = async () => {
    const { rows } = await db.raw<{ rows: TableStats[] }>(
      `SELECT s.relname, s.n_live_tup::int AS live, s.n_dead_tup::int AS dead, s.n_mod_since_analyze::int AS changed, c.reloptions AS options
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = current_schema()`,
    );
    for (const t of rows) {
      if (stopping) return;
      const vacuumAt =
        option(t.options, 'autovacuum_vacuum_threshold', server.autovacuum_vacuum_threshold!) +
        option(t.options, 'autovacuum_vacuum_scale_factor', server.autovacuum_vacuum_scale_factor!) * t.live;
      const analyzeAt =
        option(t.options, 'autovacuum_analyze_threshold', server.autovacuum_analyze_threshold!) +
        option(t.options, 'autovacuum_analyze_scale_factor', server.autovacuum_analyze_scale_factor!) * t.live;
      const vacuum = t.dead > vacuumAt;
      const analyze = t.changed > analyzeAt;
      if (!vacuum && !analyze) continue;
      const what = vacuum && analyze ? 'VACUUM (ANALYZE)' : vacuum ? 'VACUUM' : 'ANALYZE';
      await db.raw(`${what} ??`, [t.relname]);
      if (vacuum) handle.vacuums++;
      if (analyze) handle.analyses++;
      options.log?.(`autovacuum stand-in: ${what} ${t.relname} (${t.dead} dead, ${t.changed} changed, ${t.live} live)`);
    }
  };
  const loop = (async () => {
    while (!stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!stopping)
        await pass().catch((error: unknown) => options.log?.(`autovacuum stand-in: pass failed: ${String(error)}`));
    }
  })();
  handle.stop = async () => {
    stopping = true;
    wake?.();
    await loop;
  };
  return handle;
}

/** The stand-in as the scenarios use it: started unless BENCH_AUTOVACUUM=off (a server measured as it is). */
export const startAutovacuumUnlessOff = (
  db: Db,
  options: { log?: (m: string) => void } = {},
): Promise<AutovacuumStandIn | undefined> =>
  process.env.BENCH_AUTOVACUUM === 'off' ? Promise.resolve(undefined) : startAutovacuumStandIn(db, options);
