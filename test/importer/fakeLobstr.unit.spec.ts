import { afterEach, describe, expect, it } from 'vitest';
import { mapLobstrResult } from '../../src/importer/mapResult.js';
import { parseResultsPage } from '../../src/importer/resultsPage.js';
import { parseRun, parseRunsPage } from '../../src/importer/runStates.js';
import {
  busiestWindow,
  lobstrResult,
  lobstrResults,
  startFakeLobstr,
  type FakeLobstr,
  type FakeLobstrOptions,
} from '../../testkit/fakeLobstr.js';

// The fake stands in for api.lobstr.io in the importer's tests: it must page, refuse and throttle the way
// Lobstr does, or those tests prove nothing.

const API_KEY = 'lobstr-test-key';
let fake: FakeLobstr | null = null;

async function start(options: Partial<FakeLobstrOptions> = {}) {
  fake = await startFakeLobstr({ apiKey: API_KEY, ...options });
  return fake;
}

afterEach(async () => {
  await fake?.close();
  fake = null;
});

const get = (f: FakeLobstr, query: string, key = API_KEY) =>
  fetch(`${f.url}/v1/results?${query}`, { headers: { authorization: `Token ${key}` } });

describe('the fake Lobstr results API', () => {
  it("pages through a run's results in Lobstr's envelope, which parseResultsPage reads", async () => {
    const f = await start();
    const results = lobstrResults(250, 3);
    f.addRun('run-1', results);

    const pages = [];
    for (let page = 1; page <= 3; page++) {
      const response = await get(f, `run=run-1&page=${page}&page_size=100`);
      expect(response.status).toBe(200);
      pages.push((await response.json()) as Record<string, unknown>);
    }
    expect(pages.map((p) => parseResultsPage(p))).toEqual([
      { results: results.slice(0, 100), totalPages: 3, totalResults: 250 },
      { results: results.slice(100, 200), totalPages: 3, totalResults: 250 },
      { results: results.slice(200), totalPages: 3, totalResults: 250 },
    ]);
    expect(pages[2]).toMatchObject({ page: 3, limit: 100, result_from: 201, result_to: 250, next: null });
    expect(pages[0]!.next).toBe(`${f.url}/v1/results?run=run-1&page=2&page_size=100`);
    expect(f.requests.map((r) => [r.run, r.page, r.status])).toEqual([
      ['run-1', 1, 200],
      ['run-1', 2, 200],
      ['run-1', 3, 200],
    ]);
  });

  it("takes Lobstr's documented `limit`, defaults to 50 and never serves more than 100 a page", async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(120));
    const sizes = [];
    for (const query of ['run=run-1&limit=30', 'run=run-1', 'run=run-1&limit=500']) {
      sizes.push(((await (await get(f, query)).json()) as { data: unknown[] }).data.length);
    }
    expect(sizes).toEqual([30, 50, 100]);
  });

  it('answers an empty run with one empty page', async () => {
    const f = await start();
    f.addRun('empty', []);
    expect(parseResultsPage(await (await get(f, 'run=empty&page=1&page_size=100')).json())).toEqual({
      results: [],
      totalPages: 1,
      totalResults: 0,
    });
  });

  it('refuses a missing or wrong token with 401, and records the attempt', async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(3));
    expect((await get(f, 'run=run-1&page=1', 'wrong-key')).status).toBe(401);
    expect((await fetch(`${f.url}/v1/results?run=run-1&page=1`)).status).toBe(401);
    expect(
      (await fetch(`${f.url}/v1/results?run=run-1&page=1`, { headers: { authorization: `Bearer ${API_KEY}` } })).status,
    ).toBe(401);
    expect(f.requests.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it('answers 404 for a run it does not know', async () => {
    const f = await start();
    expect((await get(f, 'run=nope&page=1')).status).toBe(404);
  });

  it('answers 429 with Retry-After: 1 the first time a scripted page is asked for, then serves it', async () => {
    const f = await start({ tooManyRequestsOn: [{ run: 'run-1', page: 2 }] });
    f.addRun('run-1', lobstrResults(150));
    expect((await get(f, 'run=run-1&page=1&page_size=100')).status).toBe(200);
    const refused = await get(f, 'run=run-1&page=2&page_size=100');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      error: 'Rate limit exceeded. Please try again later.',
      type: 'RateLimitExceeded',
      code: 429,
    });
    expect((await get(f, 'run=run-1&page=2&page_size=100')).status).toBe(200);
  });

  it('fails a scripted page with 500 for its first N requests only', async () => {
    const f = await start({ failingPages: [{ run: 'run-1', page: 1, times: 2 }] });
    f.addRun('run-1', lobstrResults(10));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(f, 'run=run-1&page=1')).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it("enforces Lobstr's 2 requests a second when asked to", async () => {
    const f = await start({ maxRequestsPerSecond: 2 });
    f.addRun('run-1', lobstrResults(10));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(f, 'run=run-1&page=1')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('records when each request arrived, so a test can measure the request rate', async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(10));
    const before = Date.now();
    for (let i = 0; i < 3; i++) await get(f, 'run=run-1&page=1');
    expect(f.requests.every((r) => r.at >= before && r.at <= Date.now())).toBe(true);
    expect(busiestWindow(f.requests)).toBe(3);
    // Evenly spaced at 2 a second: any one-second window holds two; squeeze one in and it holds three.
    expect(busiestWindow([{ at: 0 }, { at: 500 }, { at: 1000 }, { at: 1500 }, { at: 2000 }])).toBe(2);
    expect(busiestWindow([{ at: 0 }, { at: 500 }, { at: 900 }, { at: 1500 }])).toBe(3);
    expect(busiestWindow([])).toBe(0);
  });

  it("lists a squid's runs newest first with only the fields Lobstr's list documents, and answers each run in full", async () => {
    const f = await start();
    const t0 = new Date('2026-12-01T06:00:00Z');
    f.addRun('run-old', lobstrResults(3), { squid: 'sq-1', createdAt: t0 });
    f.addRun('run-new', [], { squid: 'sq-1', status: 'running', createdAt: new Date(t0.getTime() + 3_600_000) });
    f.addRun('run-other', [], { squid: 'sq-2', createdAt: t0 });
    const list = (await (
      await fetch(`${f.url}/v1/runs?squid=sq-1&page=1&limit=10`, { headers: { authorization: `Token ${API_KEY}` } })
    ).json()) as Record<string, unknown>;
    expect(list).toMatchObject({ total_results: 2, limit: 10, page: 1, total_pages: 1, next: null, previous: null });
    expect(list.data).toEqual([
      {
        id: 'run-new',
        status: 'running',
        is_done: false,
        total_results: 0,
        duration: null,
        credit_used: null,
        done_reason: null,
      },
      {
        id: 'run-old',
        status: 'done',
        is_done: true,
        total_results: 3,
        duration: 0,
        credit_used: 0,
        done_reason: 'tasks_done',
      },
    ]);
    expect(parseRunsPage(list).runs.map((r) => r.id)).toEqual(['run-new', 'run-old']);

    const one = (id: string) => fetch(`${f.url}/v1/runs/${id}`, { headers: { authorization: `Token ${API_KEY}` } });
    const old = (await (await one('run-old')).json()) as Record<string, unknown>;
    expect(old).toMatchObject({
      id: 'run-old',
      object: 'run',
      status: 'done',
      is_done: true,
      export_done: true,
      squid: 'sq-1',
      ended_at: '2026-12-01T06:00:00.000000',
    });
    expect(parseRun(old)).toMatchObject({ id: 'run-old', endedAt: t0, exportDone: true });
    f.updateRun('run-new', { status: 'done', endedAt: new Date(t0.getTime() + 7_200_000), exportDone: true });
    expect(await (await one('run-new')).json()).toMatchObject({
      status: 'done',
      is_done: true,
      ended_at: '2026-12-01T08:00:00.000000',
    });
    expect((await one('run-nope')).status).toBe(404);
    expect(f.requests.map((r) => [r.endpoint, r.run || r.squid, r.status])).toEqual([
      ['runs', 'sq-1', 200],
      ['run', 'run-old', 200],
      ['run', 'run-new', 200],
      ['run', 'run-nope', 404],
    ]);
  });

  it("refuses the run endpoints without Lobstr's token, a list without squid, and a squid it does not know", async () => {
    const f = await start();
    f.addRun('run-1', [], { squid: 'sq-1' });
    const statuses = [];
    for (const [path, headers] of [
      ['/v1/runs?squid=sq-1', {}],
      ['/v1/runs/run-1', { authorization: `Bearer ${API_KEY}` }],
      ['/v1/runs/run-1', { authorization: 'Token wrong-key' }],
      ['/v1/runs', { authorization: `Token ${API_KEY}` }],
      ['/v1/runs?squid=sq-9', { authorization: `Token ${API_KEY}` }],
    ] as const) {
      statuses.push((await fetch(`${f.url}${path}`, { headers })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 400, 404]);
  });

  it('tells the X-RateLimit headers of a quota window on every answer, and answers 429 beyond it', async () => {
    const f = await start({ quota: { limit: 2, windowMs: 60_000 } });
    f.addRun('run-1', lobstrResults(1), { squid: 'sq-1' });
    const answers = [];
    for (const path of ['/v1/runs?squid=sq-1', '/v1/results?run=run-1', '/v1/runs/run-1']) {
      const r = await fetch(`${f.url}${path}`, { headers: { authorization: `Token ${API_KEY}` } });
      answers.push([
        r.status,
        r.headers.get('x-ratelimit-limit'),
        r.headers.get('x-ratelimit-remaining'),
        Number(r.headers.get('x-ratelimit-reset')) * 1000 > Date.now(),
      ]);
    }
    expect(answers).toEqual([
      [200, '2', '1', true],
      [200, '2', '0', true],
      [429, '2', '0', true],
    ]);
  });

  it('counts requests per second of arrival, and tells which client sent each', async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(1), { squid: 'sq-1' });
    await fetch(`${f.url}/v1/results?run=run-1`, {
      headers: { authorization: `Token ${API_KEY}`, 'user-agent': 'importer-a' },
    });
    await fetch(`${f.url}/v1/runs?squid=sq-1`, {
      headers: { authorization: `Token ${API_KEY}`, 'user-agent': 'importer-b' },
    });
    expect([...f.perSecond().values()].reduce((a, b) => a + b, 0)).toBe(2);
    expect([...f.perSecond('results').values()]).toEqual([1]);
    expect(f.requests.map((r) => r.userAgent)).toEqual(['importer-a', 'importer-b']);
  });

  it('closes even while a client keeps its connection alive', async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(1));
    await get(f, 'run=run-1');
    await f.close();
    fake = null;
    await expect(get(f, 'run=run-1')).rejects.toThrow();
  });
});

describe('the Lobstr fixtures', () => {
  it('look like LeBonCoin car results: French labels, coordinates and phones as strings', () => {
    const r = lobstrResult();
    expect(r).toMatchObject({
      object: 'result',
      category_name: 'Voitures',
      lat: expect.any(String) as unknown,
      phone: '06 12 34 56 78',
    });
    expect(Object.keys(r.details as object)).toEqual(
      expect.arrayContaining(['Marque', 'Modèle', 'Année modèle', 'Kilométrage', 'Carburant', 'Boîte de vitesse']),
    );
  });

  it('generate distinct results, the same ones for the same seed', () => {
    const a = lobstrResults(500, 11);
    expect(new Set(a.map((r) => r.annonce_id)).size).toBe(500);
    expect(new Set(a.map((r) => r.id)).size).toBe(500);
    expect(lobstrResults(500, 11)).toEqual(a);
    expect(lobstrResults(5, 12)).not.toEqual(lobstrResults(5, 11));
  });

  it('vary what the matcher cares about: owners, phones, flags, price bands, places', () => {
    const ads = lobstrResults(400, 5)
      .map((r) => mapLobstrResult(r))
      .flatMap((m) => (m.ok ? [m.ad] : []));
    expect(ads).toHaveLength(400);
    const seen = (f: (ad: (typeof ads)[number]) => unknown) => new Set(ads.map(f)).size;
    expect(seen((ad) => ad.ownerType)).toBe(2);
    expect(seen((ad) => ad.phone === null)).toBe(2);
    expect(seen((ad) => ad.acceptSalesmen)).toBe(2);
    expect(seen((ad) => ad.hasBeenReposted)).toBe(2);
    expect(seen((ad) => ad.priceHasDropped)).toBe(2);
    expect(seen((ad) => ad.isLowPrice)).toBe(2);
    expect(seen((ad) => ad.department)).toBeGreaterThan(8);
  });
});
