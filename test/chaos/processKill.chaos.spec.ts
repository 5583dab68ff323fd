import { describe, expect, it } from 'vitest';
import type { ChildService } from '../../testkit/childService.js';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, firstAcceptedAfter, firstLeadAfter, LOAD, report } from '../../testkit/chaos/chaosRun.js';

const env = useChaosEnv();

describe('the service process killed with SIGKILL three times under load', () => {
  it('loses no ad, makes nothing twice, and answers and matches again within seconds of each restart', async () => {
    const run = new ChaosRun(env, { accounts: FULL ? 10 : 4 });
    await run.seed();
    // Kills at least 12 s apart (a quarter of the load, which lasts 48 s at least): each restart is
    // measured on its own, not cut short by the next kill before its consumers rejoined (the dead
    // process's group members hold their partitions for KAFKA_SESSION_TIMEOUT_MS, 8 s).
    const rate = LOAD.rate;
    const seconds = Math.max(LOAD.seconds, 48);
    let current: ChildService = env.start();
    let url = ((await current.waitForLog('http listening')) as { url: string }).url;
    await current.waitForLog('hunt-matcher started', 60_000);
    const restarts: number[] = [];
    const killAndRestart = async () => {
      await current.kill('SIGKILL');
      url = '';
      restarts.push(Date.now());
      current = env.start();
      url = ((await current.waitForLog('http listening', 30_000)) as { url: string }).url;
    };
    await run.load({
      rate,
      seconds,
      urls: () => (url ? [url] : []),
      during: [0.25, 0.5, 0.75].map((p) => ({ atMs: p * seconds * 1000, run: killAndRestart })),
    });

    const figures = await run.settle('kill -9 three times');
    ChaosRun.expectIntact(figures);
    const ingestion = restarts.map((t) => firstAcceptedAfter(run, t));
    const matching = await Promise.all(restarts.map((t) => firstLeadAfter(env, t)));
    figures.notes = {
      restarts: restarts.length,
      'ingestion answering after a restart, ms': ingestion.join(', '),
      'matching resumed after a restart, ms': matching.map((m) => Math.round(m)).join(', '),
    };
    report(figures);
    expect(restarts).toHaveLength(3);
    for (const ms of ingestion) expect(ms, 'ingestion answers 202 within 5 s of the process start').toBeLessThan(5000);
    for (const ms of matching) expect(ms, 'matching resumes within 10 s of the process start').toBeLessThan(10_000);
    await current.kill('SIGTERM');
  });
});
