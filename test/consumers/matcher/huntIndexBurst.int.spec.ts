// A dealer's import: 2,000 hunts created through the API in a burst, then ads. The matcher must read
// the burst into its index once, not before every batch of ads that follows (what its refresh used
// to do for as long as no later hunt change moved its watermark), and still match the very next ad.
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { adInput, huntInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../../testkit/http.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv({ service: { ROLES: 'api,relay,matcher' } });
const http = apiClient(() => t.url);

const BURST = 2000;
const ACCOUNTS = 40;

const rowsRead = () => metricValue(t.url, 'hunt_matcher_hunt_index_rows_read_total', { read: 'refresh' });
const adsMatched = async () =>
  Number(
    (await t.db('inbox').where('consumer', 'like', '%.matcher').count<{ count: string }[]>('* as count'))[0]!.count,
  );
const leadFor = (externalId: string, huntId: string) =>
  t
    .db('leads')
    .join('ads', 'ads.id', 'leads.ad_id')
    .where({ 'ads.external_id': externalId, 'leads.hunt_id': huntId })
    .first('leads.id');

describe('the hunt index after a burst of hunt creations', () => {
  it('reads the 2,000 new hunts once, and no hunt row for the batches of ads after them, an edit excepted', async () => {
    const accounts = Array.from({ length: ACCOUNTS }, () => randomUUID());
    const brand = newBrand();
    const limit = pLimit(16);
    const hunts = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        limit(async () => {
          const response = await http.api.post<{ id: string }>(
            '/v1/hunts',
            huntInput({ accountId: accounts[i % ACCOUNTS]!, name: `import ${i}`, brands: [`${brand}-${i}`] }),
          );
          expect(response.status).toBe(201);
          return { id: response.body.id, brand: `${brand}-${i}` };
        }),
      ),
    );
    expect(await rowsRead()).toBe(0);

    // The first ad after the burst: its batch reads the burst, and the last hunt created matches it.
    const last = hunts[BURST - 1]!;
    const first = adInput({ brand: last.brand });
    expect((await http.ingest.post('/v1/ads', { ads: [first] })).status).toBe(202);
    await waitFor(() => leadFor(first.externalId, last.id), { message: 'a lead for the first ad after the burst' });
    await waitFor(async () => (await adsMatched()) === 1, { message: 'the first ad matched' });
    expect(await rowsRead()).toBe(BURST);

    // Batch after batch of ads, each matching a hunt of the burst: not one hunt row read again.
    for (let k = 1; k <= 5; k++) {
      const target = hunts[k * 300]!;
      const next = adInput({ brand: target.brand });
      expect((await http.ingest.post('/v1/ads', { ads: [next] })).status).toBe(202);
      await waitFor(() => leadFor(next.externalId, target.id), { message: `a lead for ad ${k} after the burst` });
      await waitFor(async () => (await adsMatched()) === 1 + k, { message: `ad ${k} matched` });
      expect(await rowsRead()).toBe(BURST);
    }

    // An edit is one row to read, once, and the next ad meets the edited hunt.
    const edited = hunts[7]!;
    const renamed = `${brand}-edited`;
    expect((await http.api.patch(`/v1/hunts/${edited.id}`, { brands: [renamed] })).status).toBe(200);
    const afterEdit = adInput({ brand: renamed });
    expect((await http.ingest.post('/v1/ads', { ads: [afterEdit] })).status).toBe(202);
    await waitFor(() => leadFor(afterEdit.externalId, edited.id), { message: 'a lead for the ad after the edit' });
    await waitFor(async () => (await adsMatched()) === 7, { message: 'the ad after the edit matched' });
    expect(await rowsRead()).toBe(BURST + 1);
    const again = adInput({ brand: renamed });
    expect((await http.ingest.post('/v1/ads', { ads: [again] })).status).toBe(202);
    await waitFor(async () => (await adsMatched()) === 8, { message: 'the next ad matched' });
    expect(await rowsRead()).toBe(BURST + 1);
  }, 180_000);
});
