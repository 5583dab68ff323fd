// A hunt looks back over BACKFILL_DAYS when what it matches changed (created, activated, its criteria
// edited), not when a rename, a template or contact hours change: a bulk edit of names must not
// re-scan a month of ads per hunt (edits come in bursts).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { adInput, huntInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../../testkit/http.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv();
let http: ReturnType<typeof apiClient>;
let url = '';

beforeAll(async () => {
  url = (await t.startService({ ROLES: 'api,relay,matcher' })).url;
  http = apiClient(url);
});

const scanOf = async (id: string) =>
  ((await t.db('hunts').where({ id }).first('last_scan_at')) as { last_scan_at: Date | null }).last_scan_at;

describe('the backfill of an edited hunt', () => {
  it('skips a change that matches the same ads, and looks back after a change of criteria', async () => {
    const brand = newBrand('Relecture');
    const accountId = randomUUID();
    const hunt = (
      await http.api.post<{ id: string }>('/v1/hunts', huntInput({ accountId, brands: [brand], priceMax: 10_000 }))
    ).body;
    const first = await waitFor(async () => (await scanOf(hunt.id)) ?? undefined, { message: 'created: backfilled' });
    // An ad above the price ceiling, before any edit.
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, price: 12_000 })] });
    await t.waitForConsumerGroup('matcher', 'ads.scraped');

    const skippedBefore = await metricValue(url, 'hunt_matcher_matcher_backfills_skipped_total');
    expect(
      (
        await http.api.patch(`/v1/hunts/${hunt.id}`, {
          name: 'renamed',
          outreach: { channel: 'sms', template: 'Bonjour, {{marque}} ?' },
        })
      ).status,
    ).toBe(200);
    await waitFor(
      async () => (await metricValue(url, 'hunt_matcher_matcher_backfills_skipped_total')) === skippedBefore + 1,
      { message: 'the rename skipped' },
    );
    await t.waitForConsumerGroup('matcher-backfill', 'hunts.changed');
    expect(await scanOf(hunt.id)).toEqual(first);

    // The ceiling raised: the ad at 12,000 € is found by the look back.
    expect((await http.api.patch(`/v1/hunts/${hunt.id}`, { priceMax: 15_000 })).status).toBe(200);
    await waitFor(async () => (await t.db('leads').where({ account_id: accountId })).length === 1, {
      message: 'the criteria change backfilled',
    });
    expect((await scanOf(hunt.id))!.getTime()).toBeGreaterThan(first.getTime());
  });
});
