import { describe, expect, it } from 'vitest';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, evenlySpaced, LOAD, report, seededService } from '../../testkit/chaos/chaosRun.js';

const env = useChaosEnv();

describe("every one of the service's database sessions terminated several times under load", () => {
  it('dead-letters no valid event, loses no ad and makes nothing twice', async () => {
    const { run, service, url } = await seededService(env);
    const { seconds } = LOAD;
    let terminated = 0;
    // A burst of terminations, 40 ms apart: the sessions the pool opens again are killed too, as in a
    // restart, so that a batch retried event by event meets a dead connection again.
    const terminateAll = async () => {
      for (let i = 0; i < 8; i++) {
        const { rows } = await env.db.raw<{ rows: Array<{ ok: boolean }> }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'hunt-matcher%' AND pid <> pg_backend_pid()`,
        );
        terminated += rows.filter((r) => r.ok).length;
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    const times = FULL ? 6 : 3;
    await run.load({
      rate: LOAD.rate,
      seconds,
      urls: () => [url],
      during: evenlySpaced(times, seconds, terminateAll),
    });
    const figures = await run.settle('database sessions terminated');
    figures.notes = { terminations: times, 'sessions terminated': terminated };
    report(figures);
    ChaosRun.expectIntact(figures);
    expect(terminated, 'sessions were terminated').toBeGreaterThanOrEqual(times);
    await service.kill('SIGTERM');
  });
});
