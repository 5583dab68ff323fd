// On a PostgreSQL server without autovacuum (this machine's), the service vacuums and analyses its own
// tables as autovacuum would, so that the planner knows what they hold; with TABLE_UPKEEP=off it warns.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUTOVACUUM_OFF_WARNING, startTableUpkeep, UPKEEP_ON, upkeepOf } from '../../src/db/tableUpkeep.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();

const autovacuumOn = async () =>
  (await t.db.raw<{ rows: Array<{ autovacuum: string }> }>('SHOW autovacuum')).rows[0]!.autovacuum === 'on';
const analyses = async (table: string) =>
  Number(
    (
      await t.db.raw<{ rows: Array<{ n: string }> }>(
        'SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = ?',
        [table],
      )
    ).rows[0]!.n,
  );

describe('the table upkeep', () => {
  it('decides as autovacuum does, a table of its own settings first', () => {
    const server = { vacuumThreshold: 50, vacuumScaleFactor: 0.2, analyzeThreshold: 50, analyzeScaleFactor: 0.1 };
    const table = { table: 'x', live: 1000, dead: 250, changed: 149, options: null };
    expect(upkeepOf(table, server)).toEqual({ vacuum: false, analyze: false });
    expect(upkeepOf({ ...table, dead: 251, changed: 151 }, server)).toEqual({ vacuum: true, analyze: true });
    const own = { ...table, options: ['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_analyze_threshold=10'] };
    expect(upkeepOf(own, server)).toEqual({ vacuum: true, analyze: true });
  });

  it('analyses a table that changed past the threshold on a server without autovacuum, saying so once', async () => {
    const on = await autovacuumOn();
    const logs = captureLogs('debug');
    const before = await analyses('accounts');
    await t.db('accounts').insert(Array.from({ length: 300 }, (_, i) => ({ id: randomUUID(), name: `upkeep ${i}` })));
    const upkeep = startTableUpkeep({ databaseUrl: t.databaseUrl, log: logs.log, enabled: true, everyMs: 100 });
    try {
      if (!on) await waitFor(async () => (await analyses('accounts')) > before, { message: 'accounts analysed' });
      // The statistics can show the ANALYZE a moment before the upkeep logs it.
      if (!on)
        await waitFor(() => logs.withMsg('table upkeep').some((l) => l.table === 'accounts'), {
          message: 'the upkeep logged accounts',
        });
      expect(logs.withMsg(UPKEEP_ON)).toHaveLength(on ? 0 : 1);
      expect(logs.withMsg('table upkeep').some((l) => l.table === 'accounts')).toBe(!on);
    } finally {
      await upkeep.stop();
    }
  });

  it('only warns with TABLE_UPKEEP=off, and leaves a database that does not answer to /readyz', async () => {
    const on = await autovacuumOn();
    const logs = captureLogs('debug');
    const off = startTableUpkeep({ databaseUrl: t.databaseUrl, log: logs.log, enabled: false, everyMs: 100 });
    if (!on) await waitFor(() => logs.withMsg(AUTOVACUUM_OFF_WARNING).length === 1, { message: 'the warning' });
    await off.stop();
    const gone = startTableUpkeep({
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      log: logs.log,
      enabled: true,
      everyMs: 50,
    });
    await waitFor(() => logs.withMsg(/table upkeep pass failed/).length === 1, { message: 'the failed pass' });
    await gone.stop();
    expect(logs.lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual(
      on ? [] : [AUTOVACUUM_OFF_WARNING],
    );
  });
});
