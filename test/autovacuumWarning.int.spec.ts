// The service says at start when its PostgreSQL runs without autovacuum: the outbox, inbox and
// messages tables churn with every ad and bloat without it (docs/ARCHITECTURE.md section 7).
import { describe, expect, it } from 'vitest';
import { AUTOVACUUM_OFF_WARNING, autovacuumEnabled, warnWithoutAutovacuum } from '../src/db/autovacuum.js';
import { createDb } from '../src/db/knex.js';
import { captureLogs } from './support/logCapture.js';
import { useTestEnv } from './support/testEnv.js';
import { waitFor } from './support/waitFor.js';

const t = useTestEnv();

describe('autovacuum at start', () => {
  it('warns once when the server runs without autovacuum, and not when it runs it', async () => {
    const { rows } = await t.db.raw<{ rows: Array<{ autovacuum: string }> }>('SHOW autovacuum');
    const on = rows[0]!.autovacuum === 'on';
    expect(await autovacuumEnabled(t.db)).toBe(on);
    const logs = captureLogs('debug');
    await warnWithoutAutovacuum(t.db, logs.log);
    expect(logs.withMsg(AUTOVACUUM_OFF_WARNING)).toHaveLength(on ? 0 : 1);
  });

  it('says so in the log of a starting service on this server', async () => {
    const on = await autovacuumEnabled(t.db);
    const logs = captureLogs();
    await t.startService({ ROLES: 'api' }, { log: logs.log });
    await waitFor(() => logs.withMsg('http listening').length === 1, { message: 'the service listening' });
    if (!on)
      await waitFor(() => logs.withMsg(AUTOVACUUM_OFF_WARNING).length === 1, { message: 'the autovacuum warning' });
    expect(logs.withMsg(AUTOVACUUM_OFF_WARNING).map((l) => l.level)).toEqual(on ? [] : [40]);
  });

  it('leaves a database that does not answer to /readyz: a debug line, no warning, no failure', async () => {
    const db = createDb('postgres://nobody@127.0.0.1:1/none', { poolMax: 1 });
    const logs = captureLogs('debug');
    await warnWithoutAutovacuum(db, logs.log).finally(() => db.destroy());
    expect(logs.withMsg(AUTOVACUUM_OFF_WARNING)).toHaveLength(0);
    expect(logs.withMsg('could not read the autovacuum setting')).toHaveLength(1);
  });
});
