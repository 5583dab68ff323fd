// The console's JSON under /v1/ops/ and its static files, in process (the browser test drives the page).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSUMED_TOPICS } from '../../src/events/topics.js';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { apiClient, postGatewayInbound } from '../../testkit/http.js';
import { contactedColumn, huntForBrand } from '../../testkit/hunts.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

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
    const brand = `Marque-${randomUUID().slice(0, 6)}`;
    const { accountId } = await huntForBrand(http, t.db, brand);
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

  it("pages an account's columns with their true counts, and finds the leads whose seller replied", async () => {
    const brand = `Marque-${randomUUID().slice(0, 6)}`;
    const { accountId } = await huntForBrand(http, t.db, brand);
    // 21 ads, one request: 21 leads contacted, the first one at the bottom of its column (new leads go on top).
    const { bottom } = await contactedColumn(http, t.db, { accountId, brand, count: 21 });
    expect((await postGatewayInbound(url, bottom.phone, 'Toujours disponible')).status).toBe(200);

    type Board = { columns: Array<{ stage: string; total: number; replied: number; leads: Array<{ id: string }> }> };
    const contacte = (board: Board) => board.columns.find((c) => c.stage === 'contacte')!;
    const page = (await ops().get<Board>(`/v1/ops/accounts/${accountId}/leads`)).body;
    expect(contacte(page)).toMatchObject({ total: 21, replied: 1 });
    expect(contacte(page).leads).toHaveLength(20);
    expect(contacte(page).leads.map((l) => l.id)).not.toContain(bottom.id);
    const all = (await ops().get<Board>(`/v1/ops/accounts/${accountId}/leads?limit=40`)).body;
    expect(contacte(all).leads).toHaveLength(21);
    expect(contacte(all).leads.at(-1)!.id).toBe(bottom.id);
    const replied = (await ops().get<Board>(`/v1/ops/accounts/${accountId}/leads?replied=true`)).body;
    expect(contacte(replied)).toMatchObject({ total: 1, replied: 1 });
    expect(contacte(replied).leads.map((l) => l.id)).toEqual([bottom.id]);
    expect(replied.columns.find((c) => c.stage === 'nouveau')!.total).toBe(0);
    expect((await ops().get(`/v1/ops/accounts/${accountId}/leads?limit=501`)).status).toBe(400);
  });

  it('lists the latest Lobstr runs, a failed one with the reason it was given up', async () => {
    await t.db('lobstr_runs').insert({
      run_id: 'c39b1922a5424c3c84a7cb2ec731bc5f',
      squid: 'a7b3c9d1e5f24a6b8c0d2e4f6a8b0c1d',
      status: 'failed',
      attempts: 10,
      last_error: 'gave up after 10 attempts in 11 min: Lobstr page 1 of run c39b… failed 3 times: HTTP 503',
    });
    const runs = await ops().get<{ runs: Array<Record<string, unknown>> }>('/v1/ops/lobstr-runs');
    expect(runs.status).toBe(200);
    expect(runs.body.runs[0]).toMatchObject({
      runId: 'c39b1922a5424c3c84a7cb2ec731bc5f',
      status: 'failed',
      attempts: 10,
      lastError: expect.stringContaining('gave up after 10 attempts') as unknown,
    });
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
