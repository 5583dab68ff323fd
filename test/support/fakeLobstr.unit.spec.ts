import { afterEach, describe, expect, it } from 'vitest';
import { mapLobstrResult, parseResultsPage } from '../../src/importer/mapResult.js';
import { busiestWindow, lobstrResult, lobstrResults, startFakeLobstr, type FakeLobstr, type FakeLobstrOptions } from './fakeLobstr.js';

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

const get = (f: FakeLobstr, query: string, key = API_KEY) => fetch(`${f.url}/v1/results?${query}`, { headers: { authorization: `Token ${key}` } });

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
    expect(parseResultsPage(await (await get(f, 'run=empty&page=1&page_size=100')).json())).toEqual({ results: [], totalPages: 1, totalResults: 0 });
  });

  it('refuses a missing or wrong token with 401, and records the attempt', async () => {
    const f = await start();
    f.addRun('run-1', lobstrResults(3));
    expect((await get(f, 'run=run-1&page=1', 'wrong-key')).status).toBe(401);
    expect((await fetch(`${f.url}/v1/results?run=run-1&page=1`)).status).toBe(401);
    expect((await fetch(`${f.url}/v1/results?run=run-1&page=1`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(401);
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
    expect(await refused.json()).toEqual({ error: 'Rate limit exceeded. Please try again later.', type: 'RateLimitExceeded', code: 429 });
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
    expect(r).toMatchObject({ object: 'result', category_name: 'Voitures', lat: expect.any(String) as unknown, phone: '06 12 34 56 78' });
    expect(Object.keys(r.details as object)).toEqual(expect.arrayContaining(['Marque', 'Modèle', 'Année modèle', 'Kilométrage', 'Carburant', 'Boîte de vitesse']));
  });

  it('generate distinct results, the same ones for the same seed', () => {
    const a = lobstrResults(500, 11);
    expect(new Set(a.map((r) => r.annonce_id)).size).toBe(500);
    expect(new Set(a.map((r) => r.id)).size).toBe(500);
    expect(lobstrResults(500, 11)).toEqual(a);
    expect(lobstrResults(5, 12)).not.toEqual(lobstrResults(5, 11));
  });

  it('vary what the matcher cares about: owners, phones, flags, price bands, places', () => {
    const ads = lobstrResults(400, 5).map((r) => mapLobstrResult(r)).flatMap((m) => (m.ok ? [m.ad] : []));
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
