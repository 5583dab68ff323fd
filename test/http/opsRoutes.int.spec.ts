// The console's JSON under /v1/ops/ and its static files, in process (the browser test drives the page).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSUMED_TOPICS } from '../../src/events/topics.js';
import { adInput, huntInput } from '../support/fixtures.js';
import { apiClient } from '../support/http.js';
import { TOKENS, useTestEnv } from '../support/testEnv.js';
import { waitFor } from '../support/waitFor.js';

const t = useTestEnv();
let url = '';
let http: ReturnType<typeof apiClient>;
const ops = () => ({
  get: <T>(path: string) => http.call<T>('GET', path, undefined, TOKENS.OPS_TOKEN),
  post: <T>(path: string, body: unknown) => http.call<T>('POST', path, body, TOKENS.OPS_TOKEN),
});
beforeAll(async () => {
  url = (await t.startService({ ROLES: 'api,relay,matcher' })).url;
  http = apiClient(url);
});

describe('the console', () => {
  it('serves its page and the uPlot files, and nothing else of the uPlot package', async () => {
    const page = await fetch(`${url}/ops`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('OPS_TOKEN');
    expect((await fetch(`${url}/ops/console.js`)).status).toBe(200);
    expect((await fetch(`${url}/ops/vendor/uplot/uPlot.iife.min.js`)).status).toBe(200);
    expect((await fetch(`${url}/ops/vendor/uplot/uPlot.cjs.js`)).status).toBe(404);
  });

  it('refuses its JSON without OPS_TOKEN, or with another token', async () => {
    for (const token of [null, 'wrong', TOKENS.API_TOKEN]) {
      expect(await http.call('GET', '/v1/ops/pipeline', undefined, token)).toEqual({
        status: 401,
        body: { error: 'unauthorized' },
      });
      expect(
        (await http.call('POST', '/v1/ops/dead-letters/replay', { topic: 'ads.scraped', all: true }, token)).status,
      ).toBe(401);
    }
  });

  it('shows the pipeline, and an account’s leads in Kanban columns', async () => {
    const accountId = randomUUID();
    const brand = `Marque-${randomUUID().slice(0, 6)}`;
    expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [brand] }))).status).toBe(201);
    await waitFor(
      async () => (await t.db('hunts').where({ account_id: accountId }).whereNotNull('last_scan_at')).length === 1,
      { message: 'hunt backfilled' },
    );
    expect(
      (await http.ingest.post('/v1/ads', { ads: [adInput({ brand, title: `${brand} 308`, phone: undefined })] }))
        .status,
    ).toBe(202);

    type Columns = {
      columns: Array<{
        stage: string;
        leads: Array<{ title: string; contacted: boolean; reason: string | null; price: number }>;
      }>;
    };
    const board = await waitFor(
      async () => {
        const r = await ops().get<Columns>(`/v1/ops/accounts/${accountId}/leads`);
        return r.body.columns.some((c) => c.leads.length > 0) ? r.body : undefined;
      },
      { message: 'the lead on the board' },
    );
    expect(board.columns.map((c) => c.stage)).toEqual([
      'nouveau',
      'contacte',
      'relance',
      'negociation',
      'gagne',
      'perdu',
    ]);
    expect(board.columns[0]!.leads).toEqual([
      expect.objectContaining({ title: `${brand} 308`, contacted: false, reason: 'no_phone', price: 14_500 }),
    ]);
    expect(
      (await ops().get<{ accounts: Array<{ id: string }> }>('/v1/ops/accounts')).body.accounts.map((a) => a.id),
    ).toContain(accountId);

    const pipeline = await ops().get<{
      topics: Array<{ topic: string; messages: number }>;
      lag: Array<{ consumer: string; lag: number | null }>;
      outbox: { backlog: number };
      sender: Record<string, number>;
      hops: { series: Array<{ hop: string }> };
    }>('/v1/ops/pipeline');
    expect(pipeline.status).toBe(200);
    expect(pipeline.body.topics.find((x) => x.topic === 'ads.scraped')!.messages).toBeGreaterThanOrEqual(1);
    expect(pipeline.body.lag.find((g) => g.consumer === 'matcher')!.lag).toBe(0);
    expect(pipeline.body.sender).toEqual({ pending: 0, dueNow: 0, retrying: 0, failedLastHour: 0 });
    expect(pipeline.body.hops.series.map((s) => s.hop)).toContain('publish_to_matcher');
  });

  it('lists no dead letters on a fresh topic, and refuses a replay that names none', async () => {
    const dl = await ops().get<{ counts: Array<{ topic: string; waiting: number }>; latest: unknown[] }>(
      '/v1/ops/dead-letters',
    );
    expect(dl.status).toBe(200);
    expect(dl.body.latest).toEqual([]);
    expect(dl.body.counts.map((c) => c.topic)).toEqual(CONSUMED_TOPICS);
    expect(dl.body.counts.map((c) => c.waiting)).toEqual(CONSUMED_TOPICS.map(() => 0));
    const refused = await ops().post<{ field: string }>('/v1/ops/dead-letters/replay', {
      topic: 'ads.scraped',
      offset: '7',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('body/offset');
    expect((await ops().post('/v1/ops/dead-letters/replay', { topic: 'leads.updated', all: true })).status).toBe(400);
  });

  it('passes the hunt preview through to POST /v1/hunts/preview: its 400 naming the field, and its answer', async () => {
    const incomplete = await ops().post<{ error: string; field: string }>('/v1/ops/hunts/preview', {
      adType: 'voitures',
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body).toMatchObject({ error: 'validation_failed', field: 'body/location' });
    const brand = `Marque-${randomUUID().slice(0, 8)}`;
    const ad = adInput({ brand });
    expect((await http.ingest.post('/v1/ads', { ads: [ad] })).status).toBe(202);
    const { accountId: _accountId, ...hunt } = huntInput({ brands: [brand] });
    const preview = await ops().post<{ matchingAds: number; sample: Array<{ externalId: string }> }>(
      '/v1/ops/hunts/preview',
      { ...hunt, days: 7 },
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ days: 7, matchingAds: 1, perDay: 0.1, alreadyLeads: null });
    expect(preview.body.sample.map((s) => s.externalId)).toEqual([ad.externalId]);
  });
});
