// One Lobstr key, one budget: two importer processes import at the same time and, together, never
// make more than Lobstr's 2 requests a second (the stand-in counts them, per second and over any
// one-second window, and would answer 429 beyond). And X-RateLimit-Remaining slows them down before a
// quota runs out, so that Lobstr never has to refuse.
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import {
  busiestWindow,
  lobstrResults,
  startFakeLobstr,
  type FakeLobstr,
  runDoneNotification,
} from '../../testkit/fakeLobstr.js';
import { apiClient } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
const PARTITIONS = 2;
let service: Service;
let http: ReturnType<typeof apiClient>;
const fakes: FakeLobstr[] = [];
const children: ChildService[] = [];

beforeAll(async () => {
  service = await t.startService({ ROLES: 'api,relay', TOPIC_PARTITIONS: String(PARTITIONS) });
  http = apiClient(service.url);
});
afterAll(async () => {
  for (const child of children) await child.kill('SIGKILL');
  for (const fake of fakes) await fake.close();
});

const webhook = (runId: string) =>
  http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, runDoneNotification(runId));
const status = async (runId: string) =>
  (await t.db('lobstr_runs').where({ run_id: runId }).first<{ status: string }>())?.status;
const importer = (lobstr: FakeLobstr, instance: string) => {
  const child = startChildService(
    t.env({
      ROLES: 'importer',
      INSTANCE_ID: instance,
      LOBSTR_API_URL: lobstr.url,
      TOPIC_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: 'info',
    }),
  );
  children.push(child);
  return child;
};

/** Run ids whose LobstrRunCompleted lands on each partition of lobstr.runs (the relay's murmur2 partitioner, keyed by run id). */
function runIdsPerPartition(prefix: string, perPartition: number): string[][] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  const ids: string[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let i = 0; ids.some((list) => list.length < perPartition); i++) {
    const runId = `${prefix}-${i}`;
    const p = partitioner({
      topic: t.topics.name('lobstr.runs'),
      partitionMetadata,
      message: { key: runId, value: null },
    });
    if (ids[p]!.length < perPartition) ids[p]!.push(runId);
  }
  return ids;
}

/** Both importers are in the group, each with a partition of lobstr.runs. */
async function bothAssigned() {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([t.topics.prefix + 'importer']);
        const group = groups[0];
        return (
          group?.state === 'Stable' &&
          group.members.length === 2 &&
          group.members.every((m) => m.memberAssignment.length > 0)
        );
      },
      { timeoutMs: 45_000, intervalMs: 200, message: 'both importers assigned a partition' },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Both importers in the group, the runs announced, imported; then what the stand-in counted. */
async function importAndCount(lobstr: FakeLobstr, runIds: string[]) {
  await bothAssigned();
  for (const runId of runIds) expect((await webhook(runId)).body).toMatchObject({ status: 'accepted' });
  for (const runId of runIds)
    await waitFor(async () => (await status(runId)) === 'done', { timeoutMs: 60_000, message: `${runId} imported` });

  const requests = lobstr.requests.filter((r) => r.endpoint === 'results');
  // 4 runs of 4 pages; each importer imported its partition's runs, at the same time as the other.
  expect(requests.filter((r) => r.status === 200)).toHaveLength(16);
  const by = (instance: string) => requests.filter((r) => r.userAgent === `hunt-matcher (${instance})`);
  expect(by('importer-a').length).toBeGreaterThan(0);
  expect(by('importer-b').length).toBeGreaterThan(0);
  expect(by('importer-a').length + by('importer-b').length).toBe(requests.length);
  const aTimes = by('importer-a').map((r) => r.at);
  const bTimes = by('importer-b').map((r) => r.at);
  expect(Math.max(Math.min(...aTimes), Math.min(...bTimes))).toBeLessThan(
    Math.min(Math.max(...aTimes), Math.max(...bTimes)),
  );
  // Together, never more than Lobstr allows: per calendar second and over any one-second window, and no 429.
  const t0 = Math.min(...requests.map((r) => r.at));
  const timeline = requests.map((r) => `+${r.at - t0}ms ${r.userAgent} ${r.status}`).join('\n');
  expect(Math.max(...lobstr.perSecond('results').values()), timeline).toBeLessThanOrEqual(2);
  expect(busiestWindow(requests), timeline).toBeLessThanOrEqual(2);
  expect(requests.filter((r) => r.status === 429)).toEqual([]);
  // The key is never stored, only its hash.
  const budgets = await t.db('lobstr_rate_budgets').pluck('key_hash');
  expect(budgets).toHaveLength(1);
  expect(budgets[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(JSON.stringify(await t.db('lobstr_rate_budgets').select('*'))).not.toContain(TOKENS.LOBSTR_API_KEY);
}

describe('one Lobstr rate budget per key, shared by every importer process', () => {
  it('keeps two importer processes on one key to 2 requests a second together', async () => {
    const lobstr = await startFakeLobstr({ apiKey: TOKENS.LOBSTR_API_KEY, maxRequestsPerSecond: 2 });
    fakes.push(lobstr);
    const perPartition = runIdsPerPartition('run-shared', 2);
    for (const runId of perPartition.flat())
      lobstr.addRun(runId, lobstrResults(350, 50 + perPartition.flat().indexOf(runId)));
    importer(lobstr, 'importer-a');
    importer(lobstr, 'importer-b');
    try {
      await importAndCount(lobstr, perPartition.flat());
    } finally {
      // The next test's importer must be alone in the group (these ones read another stand-in).
      for (const child of children.splice(0)) await child.kill('SIGTERM');
    }
  });

  it('slows every importer of the key down as X-RateLimit-Remaining runs out, before Lobstr has to refuse', async () => {
    // A quota of 3 requests per 4 seconds: at its usual pace, the importer would run out in 1.3 s.
    const lobstr = await startFakeLobstr({ apiKey: TOKENS.LOBSTR_API_KEY, quota: { limit: 3, windowMs: 4000 } });
    fakes.push(lobstr);
    lobstr.addRun('run-quota', lobstrResults(700, 60));
    importer(lobstr, 'importer-q');
    await webhook('run-quota');
    await waitFor(async () => (await status('run-quota')) === 'done', {
      timeoutMs: 60_000,
      message: 'run-quota imported',
    });
    const requests = lobstr.requests.filter((r) => r.endpoint === 'results');
    expect(requests.filter((r) => r.status === 200)).toHaveLength(7);
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
  });
});
