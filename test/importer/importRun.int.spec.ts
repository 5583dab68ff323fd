// One Lobstr run imported by the importer's own code (src/importer/importRun.ts), against the Lobstr
// stand-in and the real database, with the stop in the test's hands: stopping and losing a race to
// another importer are said as what they are, not as Lobstr being unavailable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/consumers/pipeline/consumedEvent.js';
import { WriteConflict } from '../../src/consumers/pipeline/failures.js';
import { importRun, MAX_RUN_ATTEMPTS } from '../../src/importer/importRun.js';
import { createLobstrClient } from '../../src/importer/lobstrClient.js';
import { createLobstrBudget } from '../../src/importer/rateBudget.js';
import { systemClock } from '../../src/platform/clock.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { insertLobstrRun } from '../../src/sql/lobstr/insertLobstrRun.js';
import { advanceLobstrRun } from '../../src/sql/lobstr/lobstrRuns.js';
import { lobstrResults, startFakeLobstr, type FakeLobstr } from '../../testkit/fakeLobstr.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();
let lobstr: FakeLobstr;

beforeAll(async () => {
  lobstr = await startFakeLobstr({
    apiKey: TOKENS.LOBSTR_API_KEY,
    failingPages: [
      { run: 'run-retrying', page: 1, times: 1 },
      { run: 'run-given-up', page: 1, times: 1_000 },
    ],
  });
});
afterAll(() => lobstr.close());

const run = (runId: string) =>
  t.db('lobstr_runs').where({ run_id: runId }).first<{
    status: string;
    failed_at: Date | null;
    next_page: number;
    ads_received: number;
    attempts: number;
    next_attempt_at: Date | null;
    last_error: string | null;
  }>();

/** The importer's part for one run, with `isRunning` the test's. */
async function importer(runId: string, isRunning: () => boolean) {
  const logs = captureLogs('debug');
  const deps = { db: t.db, outbox: { enqueue: async () => [] }, clock: systemClock, metrics: createMetrics() };
  const client = createLobstrClient(
    { apiUrl: lobstr.url, apiKey: TOKENS.LOBSTR_API_KEY, requestsPerSecond: 50 },
    createLobstrBudget({ db: t.db, apiKey: TOKENS.LOBSTR_API_KEY, requestsPerSecond: 50 }),
  );
  const outcome = importRun(deps, client, runId, { log: logs.log, isRunning, heartbeat: async () => {} }).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { outcome, logs };
}

describe('importing one Lobstr run', () => {
  it('stops after the page under way when the importer stops: Interrupted, no attempt counted, the next page next', async () => {
    lobstr.addRun('run-stopped', lobstrResults(150, 12));
    await insertLobstrRun(t.db, { runId: 'run-stopped', squid: 'squid-1' });
    const page1 = lobstr.holdPage('run-stopped', 1);
    let stopping = false;
    const { outcome, logs } = await importer('run-stopped', () => !stopping);
    await page1.arrived;
    stopping = true;
    page1.release();
    expect(await outcome).toEqual({ error: expect.any(Interrupted) as unknown });
    expect(await run('run-stopped')).toMatchObject({
      status: 'importing',
      next_page: 2,
      ads_received: 100,
      attempts: 0,
      next_attempt_at: null,
      last_error: null,
    });
    expect(logs.lines.map((l) => l.msg)).not.toContain(
      'Lobstr unavailable for this run; it is retried later, the next runs go on',
    );
    // Page 2 was never asked for.
    expect(lobstr.requests.filter((r) => r.run === 'run-stopped').map((r) => r.page)).toEqual([1]);
  });

  it('stops between two quick tries of a page Lobstr failed: Interrupted, no attempt counted', async () => {
    lobstr.addRun('run-retrying', lobstrResults(30, 13));
    await insertLobstrRun(t.db, { runId: 'run-retrying', squid: 'squid-1' });
    // Lobstr answers the first request 500; the importer is stopped before it tries again.
    const { outcome } = await importer('run-retrying', () => lobstr.requests.every((r) => r.run !== 'run-retrying'));
    expect(await outcome).toEqual({ error: expect.any(Interrupted) as unknown });
    expect(await run('run-retrying')).toMatchObject({
      next_page: 1,
      attempts: 0,
      next_attempt_at: null,
      last_error: null,
    });
    expect(lobstr.requests.filter((r) => r.run === 'run-retrying').map((r) => r.status)).toEqual([500]);
  });

  it('names once, in the run, the brands LeBonCoin wrote that its brand list lacks', async () => {
    const results = lobstrResults(5, 16);
    for (const r of results.slice(0, 2)) {
      (r.details as Record<string, string>).Marque = 'Zorglub Motors';
      (r.more_details as Record<string, string>).brand = 'Zorglub Motors';
    }
    lobstr.addRun('run-new-brand', results);
    await insertLobstrRun(t.db, { runId: 'run-new-brand', squid: 'squid-1' });
    const { outcome, logs } = await importer('run-new-brand', () => true);
    expect(await outcome).toEqual({ value: 'done' });
    expect(logs.withMsg(/^brands of this run/).map((w) => w.brands)).toEqual([['Zorglub Motors']]);
  });

  it('gives up on a run Lobstr keeps failing at its last attempt, and says so in the run', async () => {
    lobstr.addRun('run-given-up', lobstrResults(10, 15));
    await insertLobstrRun(t.db, { runId: 'run-given-up', squid: 'squid-1' });
    await t
      .db('lobstr_runs')
      .where({ run_id: 'run-given-up' })
      .update({ attempts: MAX_RUN_ATTEMPTS - 1 });
    const { outcome } = await importer('run-given-up', () => true);
    expect(await outcome).toEqual({ value: 'failed' });
    const row = await run('run-given-up');
    expect(row).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(row?.failed_at).toBeInstanceOf(Date);
    expect(row?.last_error).toMatch(
      new RegExp(
        `^gave up after ${MAX_RUN_ATTEMPTS} attempts in \\d+ min: Lobstr page 1 of run run-given-up failed 3 times: HTTP 500`,
      ),
    );
  });

  it('rolls its page back as a WriteConflict when another importer advanced the run meanwhile', async () => {
    const results = lobstrResults(40, 14);
    lobstr.addRun('run-raced', results);
    await insertLobstrRun(t.db, { runId: 'run-raced', squid: 'squid-1' });
    const page1 = lobstr.holdPage('run-raced', 1);
    const { outcome } = await importer('run-raced', () => true);
    await page1.arrived;
    // Another importer (its lease over) imports page 1 first.
    await t.db.transaction((trx) =>
      advanceLobstrRun(trx, 'run-raced', 1, {
        totalPages: 1,
        totalResults: 40,
        ads: 0,
        skipped: 0,
        withPhone: 0,
        mobileDisagreements: 0,
        fields: [],
        now: new Date(),
        leaseMs: 15_000,
      }),
    );
    page1.release();
    expect(await outcome).toEqual({ error: expect.any(WriteConflict) as unknown });
    // This importer's copy of the page is gone with its transaction; the run is as the other left it.
    const ids = results.map((r) => String((r as { annonce_id: unknown }).annonce_id));
    expect(await t.db('ads').whereIn('external_id', ids)).toHaveLength(0);
    expect(await run('run-raced')).toMatchObject({ next_page: 2, attempts: 0, last_error: null });
  });
});
