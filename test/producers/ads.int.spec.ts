import { describe, expect, it } from 'vitest';
import type { AdScraped } from '../../src/events/types.generated.js';
import { adInput } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv({ service: { ROLES: 'api,relay' } });
const http = apiClient(() => t.url);

const count = async (table: string) => Number((await t.db(table).count<{ count: string }[]>('* as count'))[0]!.count);
const outboxDrained = () => waitFor(async () => (await count('outbox')) === 0, { message: 'outbox drained' });

describe('POST /v1/ads', () => {
  it('ingests a batch twice and yields one AdScraped per ad, with the counts', async () => {
    const ads = [
      adInput(),
      adInput({ brand: 'Renault', model: 'Clio' }),
      adInput({ phone: null, lat: null, lng: null }),
    ];
    const first = await http.ingest.post('/v1/ads', { ads });
    expect(first).toEqual({ status: 202, body: { received: 3, inserted: 3, updated: 0, unchanged: 0 } });
    const second = await http.ingest.post('/v1/ads', { ads });
    expect(second).toEqual({ status: 202, body: { received: 3, inserted: 0, updated: 0, unchanged: 3 } });
    await outboxDrained();

    const events = await t.readTopic('ads.scraped', (e) => e.length >= 3);
    const mine = events.filter((e) => ads.some((a) => (e.event?.value as AdScraped).ad.externalId === a.externalId));
    expect(mine).toHaveLength(3);
    expect(await t.countMessages('ads.scraped')).toBe(3);
    const stored: Array<{ id: string; external_id: string }> = await t
      .db('ads')
      .whereIn(
        'external_id',
        ads.map((a) => a.externalId),
      )
      .select('id', 'external_id');
    for (const e of mine) {
      const value = e.event!.value as AdScraped;
      expect(value.change).toBe('NEW');
      expect(e.key).toBe(value.ad.adId);
      expect(stored.find((s) => s.external_id === value.ad.externalId)?.id).toBe(value.ad.adId);
      expect(e.headers['correlation-id']).toBe(e.headers['event-id']);
    }
    expect((mine[0]!.event!.value as AdScraped).ad).toMatchObject({
      source: 'leboncoin',
      department: '69',
      acceptSalesmen: true,
    });
  });

  it('emits UPDATED when a matching field such as the price changes, and nothing for other fields', async () => {
    const ad = adInput();
    await http.ingest.post('/v1/ads', { ads: [ad] });
    expect(
      (await http.ingest.post('/v1/ads', { ads: [{ ...ad, pictures: ['https://img.leboncoin.fr/other.jpg'] }] })).body,
    ).toMatchObject({ unchanged: 1 });
    // Stored all the same, without an event.
    const row = await t.db('ads').where({ external_id: ad.externalId }).first<{ pictures: string[] }>();
    expect(row.pictures).toEqual(['https://img.leboncoin.fr/other.jpg']);
    expect(
      (await http.ingest.post('/v1/ads', { ads: [{ ...ad, price: 13_900, priceHasDropped: true }] })).body,
    ).toMatchObject({ updated: 1 });
    await outboxDrained();
    const events = await t.readTopic(
      'ads.scraped',
      (e) => e.filter((x) => (x.event?.value as AdScraped).ad.externalId === ad.externalId).length >= 2,
    );
    const mine = events
      .filter((x) => (x.event?.value as AdScraped).ad.externalId === ad.externalId)
      .map((x) => x.event!.value as AdScraped);
    expect(mine.map((m) => [m.change, m.ad.price])).toEqual([
      ['NEW', 14_500],
      ['UPDATED', 13_900],
    ]);
  });

  it('refuses a batch with one bad ad, naming its index and field, and writes nothing', async () => {
    const before = { ads: await count('ads'), outbox: await count('outbox') };
    const ads = [adInput(), adInput(), adInput({ price: -5 }), adInput()];
    const response = await http.ingest.post<{ message: string; field: string }>('/v1/ads', { ads });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('body/ads/2/price');
    expect(response.body.message).toContain('body/ads/2/price');
    const missing = await http.ingest.post<{ field: string }>('/v1/ads', {
      ads: [adInput(), { ...adInput(), title: undefined }],
    });
    expect(missing).toMatchObject({ status: 400, body: { field: 'body/ads/1/title' } });
    const halfLocated = await http.ingest.post<{ field: string }>('/v1/ads', {
      ads: [adInput({ lat: 45.1, lng: null })],
    });
    expect(halfLocated).toMatchObject({ status: 400, body: { field: 'body/ads/0/lng' } });
    expect({ ads: await count('ads'), outbox: await count('outbox') }).toEqual(before);
  });

  it('refuses more than 1,000 ads in one request', async () => {
    const response = await http.ingest.post<{ field: string }>('/v1/ads', {
      ads: Array.from({ length: 1001 }, () => adInput()),
    });
    expect(response).toMatchObject({ status: 400, body: { field: 'body/ads' } });
  });

  it('counts an ad sent twice in one batch once', async () => {
    const ad = adInput();
    const response = await http.ingest.post('/v1/ads', { ads: [ad, { ...ad, price: 9_999 }] });
    expect(response.body).toEqual({ received: 2, inserted: 1, updated: 0, unchanged: 1 });
    expect((await t.db('ads').where({ external_id: ad.externalId }).first<{ price: number }>()).price).toBe(9_999);
  });
});
