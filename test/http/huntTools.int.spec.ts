import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adInput, huntInput, newBrand, PLACES } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

// The matcher runs too, so that the leads these tools report are the ones it really made.
const t = useTestEnv({ service: { ROLES: 'api,relay,matcher', BACKFILL_DAYS: '10' } });
const http = apiClient(() => t.url);

interface Preview {
  days: number;
  matchingAds: number;
  perDay: number;
  alreadyLeads: number | null;
  sample: Array<Record<string, unknown>>;
}
interface Criterion {
  name: string;
  ok: boolean;
  expected: unknown;
  actual: unknown;
}
interface Explanation {
  huntId: string;
  adId: string;
  matches: boolean;
  criteria: Criterion[];
  lead: { leadId: string; huntId: string; stage: string; reason: string | null } | null;
  attributedTo: string | null;
}

// Every test hunts its own make, so that its hunts and ads never meet another test's.
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const publishedHoursAgo = (h: number) => ({ firstPublishedAt: hoursAgo(h), lastPublishedAt: hoursAgo(h) });

const ingest = async (...ads: ReturnType<typeof adInput>[]) => {
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
};
const adIdOf = async (externalId: string) =>
  ((await t.db('ads').where({ external_id: externalId }).first('id')) as { id: string }).id;
const createHunt = async (overrides: Parameters<typeof huntInput>[0]) => {
  const response = await http.api.post<{ id: string; accountId: string }>('/v1/hunts', huntInput(overrides));
  expect(response.status).toBe(201);
  return response.body;
};
const leadsOf = (accountId: string) =>
  t
    .db('leads')
    .where({ account_id: accountId })
    .select<Array<{ id: string; ad_id: string; hunt_id: string; stage: string; reason: string | null }>>('*');
/** The preview body: the create-hunt body without an account. */
const previewBody = (overrides: Record<string, unknown>) => {
  const { accountId: _accountId, ...body } = huntInput();
  return { ...body, outreach: null, ...overrides };
};

/** Every table's row count, by name (tables listed from information_schema, so a new table is counted too). */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = (await t
    .db('information_schema.tables')
    .where({ table_schema: 'public', table_type: 'BASE TABLE' })
    .pluck('table_name')) as string[];
  expect(tables).toEqual(expect.arrayContaining(['ads', 'hunts', 'leads', 'outbox', 'inbox', 'messages', 'accounts']));
  const counts: Record<string, number> = {};
  for (const table of tables.sort())
    counts[table] = Number(
      ((await t.db(table).count<{ count: string }[]>('* as count')) as Array<{ count: string }>)[0]!.count,
    );
  return counts;
}
const outboxEmpty = () =>
  waitFor(async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0, {
    message: 'outbox relayed',
  });
/** What the API wrote is relayed, consumed by the matcher, and what the matcher wrote relayed in turn: nothing moves any more. */
async function settled() {
  await outboxEmpty();
  await t.waitForConsumerGroup('matcher', 'ads.scraped');
  await t.waitForConsumerGroup('matcher-backfill', 'hunts.changed');
  await outboxEmpty();
}

describe('POST /v1/hunts/preview', () => {
  it('counts the ads the hunt would match, gives the newest first, and writes nothing', async () => {
    const brand = newBrand();
    const newest = adInput({ brand, ...publishedHoursAgo(1), title: 'La plus récente', city: 'Villeurbanne' });
    const middle = adInput({ brand, ...publishedHoursAgo(5) });
    const oldest = adInput({ brand, ...publishedHoursAgo(24 * 6) });
    const tooOld = adInput({ brand, ...publishedHoursAgo(24 * 8), scrapedAt: hoursAgo(24 * 8) });
    const tooDear = adInput({ brand, price: 25_000, ...publishedHoursAgo(2) });
    const tooFar = adInput({
      brand,
      zipcode: PLACES.paris.zipcode,
      city: 'Paris',
      lat: PLACES.paris.lat,
      lng: PLACES.paris.lng,
      ...publishedHoursAgo(2),
    });
    const otherBrand = adInput({ brand: `${brand}-bis`, ...publishedHoursAgo(2) });
    await ingest(newest, middle, oldest, tooOld, tooDear, tooFar, otherBrand);
    await settled();
    const before = await rowCounts();

    const response = await http.api.post<Preview>(
      '/v1/hunts/preview',
      previewBody({ brands: [brand.toUpperCase()], days: 7 }),
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ days: 7, matchingAds: 3, perDay: 0.4, alreadyLeads: null });
    expect(response.body.sample.map((s) => s.externalId)).toEqual([
      newest.externalId,
      middle.externalId,
      oldest.externalId,
    ]);
    expect(response.body.sample[0]).toEqual({
      adId: await adIdOf(newest.externalId),
      externalId: newest.externalId,
      title: 'La plus récente',
      price: 14_500,
      city: 'Villeurbanne',
      zipcode: PLACES.villeurbanne.zipcode,
      distanceKm: 4,
      firstPublishedAt: newest.firstPublishedAt,
      scrapedAt: expect.any(String) as unknown,
      url: newest.url,
    });
    expect(await rowCounts()).toEqual(before);
  });

  it("reads the backfill's window: an ad by its scrapedAt, whether it gives no firstPublishedAt or an older one", async () => {
    const brand = newBrand();
    const undated = adInput({ brand, firstPublishedAt: null, lastPublishedAt: null, scrapedAt: hoursAgo(3) });
    const republished = adInput({ brand, ...publishedHoursAgo(24 * 40), scrapedAt: hoursAgo(1) });
    const scrapedLongAgo = adInput({
      brand,
      firstPublishedAt: null,
      lastPublishedAt: null,
      scrapedAt: hoursAgo(24 * 9),
    });
    await ingest(undated, republished, scrapedLongAgo);

    const response = await http.api.post<Preview>('/v1/hunts/preview', previewBody({ brands: [brand], days: 7 }));

    expect(response.status).toBe(200);
    expect(response.body.matchingAds).toBe(2);
    // Newest first, by first publication or, for the ad that gives none, by its scrape.
    expect(response.body.sample.map((s) => [s.externalId, s.firstPublishedAt])).toEqual([
      [undated.externalId, null],
      [republished.externalId, republished.firstPublishedAt],
    ]);
    expect(response.body.sample[0]!.scrapedAt).toBe(undated.scrapedAt);
  });

  it('uses BACKFILL_DAYS when no days are given, keywords included, and keeps at most 20 ads in the sample', async () => {
    const brand = newBrand();
    const ads = Array.from({ length: 23 }, (_, i) =>
      adInput({ brand, description: i % 2 === 0 ? 'Toit ouvrant, cuir' : 'Sans option', ...publishedHoursAgo(i + 1) }),
    );
    await ingest(...ads);
    const response = await http.api.post<Preview>(
      '/v1/hunts/preview',
      previewBody({ brands: [brand], keywords: ['toit ouvrant'] }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ days: 10, matchingAds: 12 });
    expect(response.body.sample.map((s) => s.externalId)).toEqual(
      ads.filter((_, i) => i % 2 === 0).map((a) => a.externalId),
    );
    const all = await http.api.post<Preview>('/v1/hunts/preview', previewBody({ brands: [brand] }));
    expect(all.body.matchingAds).toBe(23);
    expect(all.body.sample).toHaveLength(20);
  });

  it("counts the account's existing leads among the matching ads", async () => {
    const brand = newBrand();
    const hunt = await createHunt({ brands: [brand], priceMax: 20_000 });
    const cheap = [adInput({ brand, price: 9_000 }), adInput({ brand, price: 12_000 })];
    const dear = adInput({ brand, price: 30_000 });
    await ingest(...cheap, dear);
    await waitFor(async () => (await leadsOf(hunt.accountId)).length === 2, { message: 'two leads' });

    const mine = await http.api.post<Preview>(
      '/v1/hunts/preview',
      previewBody({ accountId: hunt.accountId, brands: [brand], priceMax: null }),
    );
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ matchingAds: 3, alreadyLeads: 2 });
    const theirs = await http.api.post<Preview>(
      '/v1/hunts/preview',
      previewBody({ accountId: randomUUID(), brands: [brand], priceMax: null }),
    );
    expect(theirs.body).toMatchObject({ matchingAds: 3, alreadyLeads: 0 });
  });

  it('answers 400 naming the field for an invalid body, as POST /v1/hunts does, and writes nothing', async () => {
    await settled();
    const before = await rowCounts();
    const { adType: _adType, ...noType } = previewBody({});
    for (const [body, field] of [
      [noType, 'body/adType'],
      [previewBody({ days: 0 }), 'body/days'],
      [previewBody({ days: 91 }), 'body/days'],
      [previewBody({ days: 7.5 }), 'body/days'],
      [previewBody({ priceMin: 30_000, priceMax: 20_000 }), 'body/priceMin'],
      [previewBody({ modelYearMin: 2020, modelYearMax: 2010 }), 'body/modelYearMin'],
      [previewBody({ keywords: ['  '] }), 'body/keywords/0'],
      [previewBody({ accountId: 'not-a-uuid' }), 'body/accountId'],
      [previewBody({ location: { ...PLACES.lyon, lat: 91 } }), 'body/location/lat'],
      [previewBody({ radiusKm: -1 }), 'body/radiusKm'],
      [previewBody({ colour: 'red' }), 'body/colour'],
      [previewBody({ outreach: { channel: 'sms', template: 'Bonjour {{inconnu}}' } }), 'body/outreach/template'],
    ] as const) {
      const response = await http.api.post<{ error: string; field: string }>('/v1/hunts/preview', body);
      expect({ status: response.status, field: response.body.field }, JSON.stringify(body)).toEqual({
        status: 400,
        field,
      });
      expect(response.body.error).toBe('validation_failed');
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("takes an account's key, for its own account only", async () => {
    const accountId = randomUUID();
    expect((await http.api.post('/v1/accounts', { id: accountId })).status).toBe(201);
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${accountId}/api-keys`)).body.key;
    const own = await http.call<Preview>('POST', '/v1/hunts/preview', previewBody({ accountId }), key);
    expect(own.status).toBe(200);
    expect(own.body.alreadyLeads).toBe(0);
    // Without accountId, a key previews for its own account.
    expect((await http.call<Preview>('POST', '/v1/hunts/preview', previewBody({}), key)).body.alreadyLeads).toBe(0);
    expect((await http.call('POST', '/v1/hunts/preview', previewBody({ accountId: randomUUID() }), key)).status).toBe(
      404,
    );
    expect((await http.call('POST', '/v1/hunts/preview', previewBody({}))).status).toBe(401);
  });
});

describe('GET /v1/hunts/:id/explain', () => {
  it('reports each failing criterion of an ad that does not match', async () => {
    const brand = newBrand();
    const hunt = await createHunt({
      brands: [brand],
      priceMax: 10_000,
      modelYearMin: 2020,
      keywords: ['GT line', 'cuir'],
      isUrgent: true,
    });
    const ad = adInput({
      brand: 'Renault',
      price: 14_500,
      modelYear: 2019,
      zipcode: PLACES.paris.zipcode,
      city: 'Paris',
      lat: PLACES.paris.lat,
      lng: PLACES.paris.lng,
    });
    await ingest(ad);

    const response = await http.api.get<Explanation>(`/v1/hunts/${hunt.id}/explain?externalId=${ad.externalId}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      huntId: hunt.id,
      adId: await adIdOf(ad.externalId),
      matches: false,
      lead: null,
      attributedTo: null,
    });
    expect(response.body.criteria).toEqual([
      { name: 'status', ok: true, expected: 'active', actual: 'active' },
      { name: 'adType', ok: true, expected: 'voitures', actual: 'voitures' },
      { name: 'brands', ok: false, expected: [brand], actual: 'Renault' },
      { name: 'price', ok: false, expected: { min: null, max: 10_000 }, actual: 14_500 },
      { name: 'modelYear', ok: false, expected: { min: 2020, max: null }, actual: 2019 },
      {
        name: 'location',
        ok: false,
        expected: { radiusKm: 30 },
        actual: { distanceKm: 392.2, zipcode: PLACES.paris.zipcode },
      },
      { name: 'keywords', ok: false, expected: ['GT line', 'cuir'], actual: { missing: ['cuir'] } },
      { name: 'isUrgent', ok: false, expected: true, actual: false },
    ]);
  });

  it('says matches with the lead for an ad that matches, and names the older hunt the lead went to', async () => {
    const brand = newBrand();
    const older = await createHunt({ brands: [brand], name: 'older' });
    const younger = await createHunt({ accountId: older.accountId, brands: [brand], radiusKm: 100, name: 'younger' });
    const ad = adInput({ brand });
    await ingest(ad);
    const [lead] = await waitFor(async () => {
      const leads = await leadsOf(older.accountId);
      return leads.length === 1 && leads;
    });
    const adId = await adIdOf(ad.externalId);
    expect(lead).toMatchObject({ hunt_id: older.id, ad_id: adId });

    const own = await http.api.get<Explanation>(`/v1/hunts/${older.id}/explain?adId=${adId}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      matches: true,
      lead: { leadId: lead!.id, huntId: older.id, stage: lead!.stage, reason: lead!.reason },
      attributedTo: null,
    });
    expect(own.body.criteria.every((c) => c.ok)).toBe(true);

    const other = await http.api.get<Explanation>(`/v1/hunts/${younger.id}/explain?adId=${adId}`);
    expect(other.body).toMatchObject({
      huntId: younger.id,
      matches: true,
      lead: { leadId: lead!.id, huntId: older.id },
      attributedTo: older.id,
    });
  });

  it('answers 404 for an unknown hunt or ad and 400 for a malformed id or a query without exactly one of adId and externalId', async () => {
    const brand = newBrand();
    const hunt = await createHunt({ brands: [brand] });
    const ad = adInput({ brand });
    await ingest(ad);
    const adId = await adIdOf(ad.externalId);
    expect((await http.api.get(`/v1/hunts/${randomUUID()}/explain?adId=${adId}`)).status).toBe(404);
    expect((await http.api.get(`/v1/hunts/${hunt.id}/explain?adId=${randomUUID()}`)).status).toBe(404);
    expect((await http.api.get(`/v1/hunts/${hunt.id}/explain?externalId=999`)).status).toBe(404);
    for (const [query, field] of [
      [`/v1/hunts/not-a-uuid/explain?adId=${adId}`, 'params/id'],
      [`/v1/hunts/${hunt.id}/explain?adId=42`, 'querystring/adId'],
      [`/v1/hunts/${hunt.id}/explain`, 'querystring'],
      [`/v1/hunts/${hunt.id}/explain?adId=${adId}&externalId=${ad.externalId}`, 'querystring'],
      [`/v1/hunts/${hunt.id}/explain?adId=${adId}&verbose=1`, 'querystring/verbose'],
    ] as const) {
      const response = await http.api.get<{ field: string }>(query);
      expect({ status: response.status, field: response.body.field }, query).toEqual({ status: 400, field });
    }
    // A deleted hunt is unknown.
    expect((await http.api.delete(`/v1/hunts/${hunt.id}`)).status).toBe(204);
    expect((await http.api.get(`/v1/hunts/${hunt.id}/explain?adId=${adId}`)).status).toBe(404);
  });

  it("answers an account's key for its own hunts, and 404 for another account's", async () => {
    const accountId = randomUUID();
    expect((await http.api.post('/v1/accounts', { id: accountId })).status).toBe(201);
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${accountId}/api-keys`)).body.key;
    const brand = newBrand();
    const mine = await createHunt({ accountId, brands: [brand] });
    const theirs = await createHunt({ brands: [brand] });
    const ad = adInput({ brand });
    await ingest(ad);
    expect(
      (await http.call('GET', `/v1/hunts/${mine.id}/explain?externalId=${ad.externalId}`, undefined, key)).status,
    ).toBe(200);
    expect(
      (await http.call('GET', `/v1/hunts/${theirs.id}/explain?externalId=${ad.externalId}`, undefined, key)).status,
    ).toBe(404);
    expect((await http.call('GET', `/v1/hunts/${mine.id}/explain?externalId=${ad.externalId}`)).status).toBe(401);
  });
});
