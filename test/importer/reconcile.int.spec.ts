// The importer's reconciliation against the Lobstr stand-in, with the service's clock in the test's
// hands: a reconciliation period passes when the test moves the clock, never by waiting for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/platform/clock.js';
import type { Service } from '../../src/service.js';
import { lobstrResults, startFakeLobstr, type FakeLobstr, runDoneNotification } from '../../testkit/fakeLobstr.js';
import { apiClient } from '../../testkit/http.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
const PERIOD_MS = 60_000;
const T0 = new Date('2026-12-02T08:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
let now = T0;
const clock: Clock = { now: () => now };
const logs = captureLogs();
let lobstr: FakeLobstr;
let service: Service;
let http: ReturnType<typeof apiClient>;

beforeAll(async () => {
  lobstr = await startFakeLobstr({ apiKey: TOKENS.LOBSTR_API_KEY, maxRequestsPerSecond: 2 });
  // squid-a, newest first: a run still running, one done an hour ago whose webhook never came, one
  // aborted, one done ten days ago (before the 7 days of look-back).
  lobstr.addRun('run-running', lobstrResults(120, 31), {
    squid: 'squid-a',
    status: 'running',
    createdAt: minutes(-20),
  });
  lobstr.addRun('run-lost', lobstrResults(30, 32), {
    squid: 'squid-a',
    createdAt: minutes(-120),
    endedAt: minutes(-110),
  });
  lobstr.addRun('run-aborted', lobstrResults(5, 33), {
    squid: 'squid-a',
    status: 'aborted',
    createdAt: minutes(-180),
    endedAt: minutes(-170),
    doneReason: 'aborted',
  });
  lobstr.addRun('run-old', lobstrResults(5, 34), { squid: 'squid-a', createdAt: minutes(-10 * 24 * 60) });
  service = await t.startService(
    {
      ROLES: 'api,relay,importer',
      LOBSTR_API_URL: lobstr.url,
      LOBSTR_SQUIDS: 'squid-a',
      LOBSTR_RECONCILE_EVERY_MS: String(PERIOD_MS),
      TOPIC_PARTITIONS: '1',
    },
    { clock, log: logs.log },
  );
  http = apiClient(service.url);
});
afterAll(async () => {
  await service.stop();
  await lobstr.close();
});

const run = (runId: string) =>
  t
    .db('lobstr_runs')
    .where({ run_id: runId })
    .first<{ status: string; trigger: string | null; ads_received: number; last_error: string | null } | undefined>();
const squid = () =>
  t
    .db('lobstr_squids')
    .where({ squid: 'squid-a' })
    .first<{ next_pass_at: Date; last_pass_at: Date | null; last_error: string | null }>();
const webhook = (runId: string) =>
  http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, runDoneNotification(runId));
const resultRequests = (runId: string) =>
  lobstr.requests.filter((r) => r.endpoint === 'results' && r.run === runId && r.status === 200);
const announced = async (runId: string) =>
  (await t.readTopic('lobstr.runs', (events) => events.some((e) => e.key === runId))).filter((e) => e.key === runId);
/** Moves the clock one period on and waits for the pass it makes due. */
async function nextPeriod() {
  now = new Date(now.getTime() + PERIOD_MS);
  const due = now;
  await waitFor(async () => (await squid())?.last_pass_at?.getTime() === due.getTime(), {
    timeoutMs: 20_000,
    message: 'the next reconciliation pass',
  });
}

describe("the importer's reconciliation of Lobstr runs", () => {
  it('imports at start a run that finished while no webhook came, and records the aborted and the too old ones as skipped', async () => {
    await waitFor(async () => (await run('run-lost'))?.status === 'done', {
      timeoutMs: 30_000,
      message: 'the lost run imported',
    });
    expect(await run('run-lost')).toMatchObject({ trigger: 'reconcile', ads_received: 30 });
    expect(await run('run-aborted')).toMatchObject({
      status: 'skipped',
      last_error: 'Lobstr run ended aborted (aborted): nothing to import',
    });
    expect(await run('run-old')).toMatchObject({
      status: 'skipped',
      last_error: expect.stringContaining("before the reconciliation's look-back") as unknown,
    });
    expect((await run('run-running'))?.status).toBe('waiting');
    // The next pass is due one period after this one, by the service's clock.
    expect(await squid()).toMatchObject({
      last_pass_at: T0,
      next_pass_at: new Date(T0.getTime() + PERIOD_MS),
      last_error: null,
    });
    expect(logs.withMsg(/^Lobstr reconciliation: 1 finished run\(s\) no webhook had brought/)).toHaveLength(1);
    expect(await announced('run-lost')).toHaveLength(1);
  });

  it('imports a run that was still running within one reconciliation period of its end, with no webhook', async () => {
    lobstr.updateRun('run-running', { status: 'done', endedAt: minutes(0.5), exportDone: true });
    expect((await run('run-running'))?.status).toBe('waiting');
    await nextPeriod();
    await waitFor(async () => (await run('run-running'))?.status === 'done', {
      timeoutMs: 30_000,
      message: 'the run imported after it finished',
    });
    expect(await run('run-running')).toMatchObject({ trigger: 'reconcile', ads_received: 120 });
    expect(
      await t
        .db('ads')
        .whereIn(
          'external_id',
          lobstrResults(120, 31).map((r) => String(r.annonce_id)),
        )
        .count<Array<{ count: number }>>('* as count'),
    ).toEqual([{ count: 120 }]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('hunt_matcher_importer_runs_total{outcome="done",trigger="reconcile"} 2');
    // Skipped runs are known: no pass asks Lobstr about them again.
    expect(
      lobstr.requests.filter((r) => r.endpoint === 'run' && ['run-aborted', 'run-old'].includes(r.run)),
    ).toHaveLength(1);
  });

  it('waits for a done run whose export is not ready yet, and imports it once it is', async () => {
    lobstr.addRun('run-exporting', lobstrResults(10, 35), {
      squid: 'squid-a',
      createdAt: minutes(1),
      endedAt: minutes(1.5),
      exportDone: false,
    });
    await nextPeriod();
    expect(await run('run-exporting')).toMatchObject({
      status: 'waiting',
      last_error: 'Lobstr status done, export not ready',
    });
    lobstr.updateRun('run-exporting', { exportDone: true });
    await nextPeriod();
    await waitFor(async () => (await run('run-exporting'))?.status === 'done', {
      timeoutMs: 30_000,
      message: 'the exported run imported',
    });
    expect(resultRequests('run-exporting')).toHaveLength(1);
  });

  it('imports a run both webhooked and reconciled once, whichever comes first', async () => {
    // The webhook first: the next pass finds the run known.
    lobstr.addRun('run-hooked', lobstrResults(40, 36), {
      squid: 'squid-a',
      createdAt: minutes(3),
      endedAt: minutes(3.5),
    });
    expect((await webhook('run-hooked')).body).toEqual({ status: 'accepted', runId: 'run-hooked' });
    await waitFor(async () => (await run('run-hooked'))?.status === 'done', {
      timeoutMs: 30_000,
      message: 'the webhooked run imported',
    });
    await nextPeriod();
    // The reconciliation first: Lobstr's late webhook is a duplicate.
    lobstr.addRun('run-late-hook', lobstrResults(40, 37), {
      squid: 'squid-a',
      createdAt: minutes(4),
      endedAt: minutes(4.5),
    });
    await nextPeriod();
    await waitFor(async () => (await run('run-late-hook'))?.status === 'done', {
      timeoutMs: 30_000,
      message: 'the reconciled run imported',
    });
    expect((await webhook('run-late-hook')).body).toEqual({ status: 'duplicate', runId: 'run-late-hook' });
    await nextPeriod();

    expect(await run('run-hooked')).toMatchObject({ trigger: 'webhook', ads_received: 40 });
    expect(await run('run-late-hook')).toMatchObject({ trigger: 'reconcile', ads_received: 40 });
    for (const runId of ['run-hooked', 'run-late-hook']) {
      expect(resultRequests(runId)).toHaveLength(1);
      expect(await announced(runId)).toHaveLength(1);
    }
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('hunt_matcher_importer_runs_total{outcome="done",trigger="webhook"} 1');
  });

  it("says in /readyz which fields the last run returned, and where each squid's reconciliation stands", async () => {
    const body = (await (await fetch(`${service.url}/readyz`)).json()) as {
      details: { importer: Record<string, unknown> };
    };
    expect(body.details.importer).toMatchObject({
      lastRun: {
        runId: 'run-late-hook',
        trigger: 'reconcile',
        results: 40,
        fields: expect.arrayContaining(['annonce_id', 'phone', 'details']) as unknown,
      },
      phones: 'ok',
      reconcile: { everyMs: PERIOD_MS, squids: [{ squid: 'squid-a', lastPassAt: now.toISOString(), lastError: null }] },
    });
    expect(body.details.importer.warning).toBeUndefined();
    // Every request of the reconciliation and the imports kept to Lobstr's rate: none was refused.
    expect(lobstr.requests.filter((r) => r.status === 429)).toEqual([]);
  });
});
