import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdScraped } from '../../src/events/types.generated.js';
import type { Service } from '../../src/service.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import {
  busiestWindow,
  lobstrResult,
  lobstrResults,
  startFakeLobstr,
  type FakeLobstr,
} from '../../testkit/fakeLobstr.js';
import { apiClient } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
let lobstr: FakeLobstr;
let service: Service;
let http: ReturnType<typeof apiClient>;

beforeAll(async () => {
  lobstr = await startFakeLobstr({
    apiKey: TOKENS.LOBSTR_API_KEY,
    tooManyRequestsOn: [{ run: 'run-250', page: 2 }],
    failingPages: [
      { run: 'run-flaky', page: 1, times: 2 },
      { run: 'run-down', page: 1, times: 3 },
    ],
    maxRequestsPerSecond: 2,
  });
  // One partition for lobstr.runs: a run that held its partition would visibly hold up the next one.
  service = await t.startService({ ROLES: 'api,relay', TOPIC_PARTITIONS: '1' });
  http = apiClient(service.url);
});
afterAll(async () => {
  await lobstr.close();
});

const webhook = (runId: string, event = 'run.done') =>
  http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, {
    id: runId,
    object: 'run',
    event,
    squid: { id: 'squid-1', name: 'voitures' },
    timestamp: '2026/11/28 05:00:00',
  });
const run = (runId: string) =>
  t.db('lobstr_runs').where({ run_id: runId }).first<{
    status: string;
    next_page: number;
    total_pages: number;
    ads_received: number;
    results_skipped: number;
    last_error: string | null;
    attempts: number;
    next_attempt_at: Date | null;
  }>();
const importerEnv = () =>
  t.env({ ROLES: 'importer', LOBSTR_API_URL: lobstr.url, LOG_LEVEL: 'info', TOPIC_PARTITIONS: '1' });
/** Runs `body` while an importer of its own runs, and stops it whatever happens; the stopped importer. */
const withImporter = async (body: (importer: ChildService) => Promise<unknown>): Promise<ChildService> => {
  const importer = startChildService(importerEnv());
  try {
    await body(importer);
  } finally {
    await importer.kill('SIGTERM');
  }
  return importer;
};
const runDone = (runId: string, timeoutMs: number, message: string) =>
  waitFor(async () => (await run(runId))?.status === 'done', { timeoutMs, message });

describe('the Lobstr importer', () => {
  it('imports a run of 250 results over 3 pages once, through a 429 and a restart after page 1', async () => {
    const results = lobstrResults(250, 7);
    lobstr.addRun('run-250', results);
    // The webhook fires twice (Lobstr retries); other events are ignored.
    expect(await webhook('run-250', 'run.running')).toEqual({
      status: 200,
      body: { status: 'ignored', event: 'run.running' },
    });
    expect((await webhook('run-250')).body).toEqual({ status: 'accepted', runId: 'run-250' });
    expect((await webhook('run-250')).body).toEqual({ status: 'duplicate', runId: 'run-250' });

    const first = startChildService(importerEnv());
    await waitFor(async () => (await run('run-250'))?.next_page === 2, {
      intervalMs: 5,
      message: 'page 1 imported',
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n${first.output().slice(-3000)}`);
    });
    await first.kill('SIGKILL');
    expect((await run('run-250'))!.ads_received).toBe(100);

    await withImporter(async (second) => {
      await runDone('run-250', 45_000, 'run imported');
      // The page's log line is written once its transaction committed: wait for it rather than read at once.
      await second.waitForLog('page 3/3, 250 ads', 10_000);
    });

    expect(await run('run-250')).toMatchObject({ next_page: 4, total_pages: 3, ads_received: 250, results_skipped: 0 });
    const ids = results.map((r) => String(r.annonce_id));
    expect(await t.db('ads').whereIn('external_id', ids).count<{ count: string }[]>('* as count')).toEqual([
      { count: 250 },
    ]);
    await waitFor(async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0);
    const events = await t.readTopic(
      'ads.scraped',
      (e) => e.filter((x) => ids.includes((x.event?.value as AdScraped).ad.externalId)).length >= 250,
    );
    const mine = events.filter((x) => ids.includes((x.event?.value as AdScraped).ad.externalId));
    expect(mine).toHaveLength(250);
    expect(new Set(mine.map((x) => (x.event!.value as AdScraped).ad.externalId)).size).toBe(250);
    // The AdScraped events follow from the run's LobstrRunCompleted.
    const runs = await t.readTopic('lobstr.runs', (e) => e.length >= 1);
    expect(runs).toHaveLength(1);
    expect(mine.every((x) => x.headers['causation-id'] === runs[0]!.headers['event-id'])).toBe(true);

    // Lobstr's rate limit was honoured (the fake answers 429 beyond it), and its 429 was waited out.
    const requests = lobstr.requests.filter((r) => r.run === 'run-250');
    expect(busiestWindow(requests)).toBeLessThanOrEqual(2);
    expect(requests.filter((r) => r.status === 429)).toHaveLength(1);
    const after429 = requests[requests.findIndex((r) => r.status === 429) + 1]!;
    expect(after429.at - requests.find((r) => r.status === 429)!.at).toBeGreaterThanOrEqual(1000);
  });

  it('retries a failing page and counts, without failing the run, results it cannot map or that POST /v1/ads would refuse', async () => {
    // The last one maps, but was published last before it was published first: the API's checks refuse it.
    const backwards = lobstrResult({
      annonce_id: 78,
      first_publication_date: '2026-11-27 10:30:00',
      last_publication_date: '2026-11-20 09:00:00',
    });
    lobstr.addRun('run-flaky', [
      ...lobstrResults(20, 8),
      lobstrResult({ annonce_id: null }),
      lobstrResult({ annonce_id: 77, category_name: 'Immobilier' }),
      backwards,
    ]);
    await webhook('run-flaky');
    const importer = await withImporter(() => runDone('run-flaky', 45_000, 'run imported'));
    expect(await run('run-flaky')).toMatchObject({ ads_received: 20, results_skipped: 3 });
    expect(lobstr.requests.filter((r) => r.run === 'run-flaky').map((r) => r.status)).toEqual([500, 500, 200]);
    expect(importer.output()).toContain('"resultId":"77"');
    expect(importer.output()).toContain('lastPublishedAt must not be before firstPublishedAt');
  });

  it('marks a run Lobstr does not know failed with the reason, and imports the next run at once', async () => {
    lobstr.addRun('run-next', lobstrResults(30, 9));
    await webhook('run-unknown');
    await webhook('run-next');
    await withImporter(async (importer) => {
      await runDone('run-next', 20_000, 'the next run imported');
      expect(await run('run-unknown')).toMatchObject({
        status: 'failed',
        last_error: expect.stringMatching(/HTTP 404/) as unknown,
      });
      expect(lobstr.requests.filter((r) => r.run === 'run-unknown').map((r) => r.status)).toEqual([404]);
      expect(importer.output()).toContain('Lobstr run failed: Lobstr refused it; moving on');
    });
  });

  it('retries a run Lobstr cannot serve now by due time, without holding up the next run', async () => {
    lobstr.addRun('run-down', lobstrResults(10, 10));
    lobstr.addRun('run-after', lobstrResults(10, 11));
    await webhook('run-down');
    await webhook('run-after');
    await withImporter(async () => {
      await runDone('run-after', 20_000, 'the run behind imported');
      expect((await run('run-down'))?.status).toBe('retrying');
      await runDone('run-down', 30_000, 'the run retried and imported');
      expect(await run('run-down')).toMatchObject({ attempts: 1, ads_received: 10 });
      expect(lobstr.requests.filter((r) => r.run === 'run-down').map((r) => r.status)).toEqual([500, 500, 500, 200]);
    });
  });
});
