// The three matching paths of the real matcher on one random world (testkit/matchingWorld.ts),
// laid out three times in places far apart so that they cannot match each other's ads:
//   continuous  the hunts are in the database (no HuntChanged, so no backfill), then the ads come
//               through POST /v1/ads: the continuous matcher alone makes the leads;
//   backfill    the ads are in the database without their AdScraped, then the hunts come through
//               POST /v1/hunts, oldest first: their backfills alone make the leads;
//   catch_up    ads and hunts are in the database without events, then a daily tick: the catch-up
//               alone makes the leads.
// Each must give the leads the rules give (test/domain/matchAds.unit.spec.ts holds the paths to it on
// many random worlds), attributed to the same hunts, and count them under its own source.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Hunt, HuntSettings } from '../../../src/domain/types.js';
import type { AdInput } from '../../../src/producers/ads/adInput.js';
import { ensureAccount } from '../../../src/sql/accounts/ensureAccount.js';
import { insertHunt } from '../../../src/sql/hunts/insertHunt.js';
import { ingestSilently } from '../../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../../testkit/http.js';
import { randomWorld, type Place, type World } from '../../../testkit/matchingWorld.js';
import { runDailyTick } from '../../../testkit/hunts.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { compareAge } from '../../../src/domain/huntAge.js';
import { matchesHunt } from '../../../src/domain/matchHunt.js';

const t = useTestEnv({ service: { ROLES: 'api,relay,matcher' } });
const http = apiClient(() => t.url);

const SIZE = { accounts: 3, hunts: 14, ads: 40 };
const SEED = 20261203;
// On one parallel, 4 degrees (about 310 km) apart: moved along a parallel, every distance stays the same,
// so the three copies are the same world; hunts reach 125 km at most.
const PLACES: Record<'continuous' | 'backfill' | 'catch_up', Place> = {
  continuous: { lat: 45.76, lng: 4.84, zipPrefix: '690' },
  backfill: { lat: 45.76, lng: 0.84, zipPrefix: '160' },
  catch_up: { lat: 45.76, lng: -3.16, zipPrefix: '170' },
};
type Source = keyof typeof PLACES;

/** A scenario's copy of the world: its own accounts and listing ids, the same hunts and ads otherwise. */
function layOut(source: Source) {
  const world = randomWorld(SEED, SIZE, PLACES[source]);
  const accounts = new Map(world.accountIds.map((id) => [id, randomUUID()]));
  const suffix = { continuous: '1', backfill: '2', catch_up: '3' }[source];
  return {
    world,
    accountOf: (h: Hunt) => accounts.get(h.accountId)!,
    externalIdOf: (i: number) => `${world.ads[i]!.externalId}${suffix}`,
  };
}

const inputOf = (world: World, i: number, externalId: string): AdInput => {
  const {
    adId: _id,
    department: _d,
    scrapedAt: _s,
    firstPublishedAt: _f,
    lastPublishedAt: _l,
    ownerType,
    ...rest
  } = world.ads[i]!;
  return { ...rest, externalId, ownerType: ownerType as AdInput['ownerType'] };
};
const settingsOf = (h: Hunt): HuntSettings => {
  const { id: _id, accountId: _a, version: _v, createdAt: _c, updatedAt: _u, lastScanAt: _l, ...settings } = h;
  return settings;
};
/** Hunts written straight into the table (no HuntChanged): ids that keep the world's order among equal creation times. */
async function insertHunts(source: Source, laid: ReturnType<typeof layOut>): Promise<string[]> {
  const ids = laid.world.hunts.map(
    (_, i) => `0000000${Object.keys(PLACES).indexOf(source)}-0000-7000-8000-${String(i).padStart(12, '0')}`,
  );
  await t.db.transaction(async (trx) => {
    for (const [i, h] of laid.world.hunts.entries()) {
      await ensureAccount(trx, laid.accountOf(h));
      await insertHunt(trx, { id: ids[i]!, accountId: laid.accountOf(h), settings: settingsOf(h), now: h.createdAt });
    }
  });
  return ids;
}
/** Ads written straight into the table (no AdScraped). */
const ingestWorldSilently = (laid: ReturnType<typeof layOut>) =>
  ingestSilently(
    t.db,
    laid.world.ads.map((_, i) => inputOf(laid.world, i, laid.externalIdOf(i))),
  );

/** The leads of a scenario's accounts, as "hunt index/ad index" in world terms. */
async function leadsOf(laid: ReturnType<typeof layOut>, huntIds: string[]): Promise<string[]> {
  const accounts = laid.world.hunts.map((h) => laid.accountOf(h));
  const rows = await t
    .db('leads as l')
    .join('ads as a', 'a.id', 'l.ad_id')
    .whereIn('l.account_id', accounts)
    .select<Array<{ hunt_id: string; external_id: string }>>('l.hunt_id', 'a.external_id');
  const adIndex = new Map(laid.world.ads.map((_, i) => [laid.externalIdOf(i), i]));
  return rows.map((r) => `${huntIds.indexOf(r.hunt_id)}/${adIndex.get(r.external_id)}`).sort();
}

/** What the rules say: per account and ad, the oldest active hunt that matches. */
function expectedLeads(world: World): string[] {
  const oldestFirst = world.hunts
    .map((h, i) => ({ h, i }))
    .sort((a, b) => compareAge(a.h.createdAt.getTime(), a.h.id, b.h.createdAt.getTime(), b.h.id));
  const out: string[] = [];
  for (const [adIndex, ad] of world.ads.entries()) {
    const taken = new Set<string>();
    for (const { h, i } of oldestFirst) {
      if (h.status !== 'active' || taken.has(h.accountId) || !matchesHunt(ad, h)) continue;
      taken.add(h.accountId);
      out.push(`${i}/${adIndex}`);
    }
  }
  return out.sort();
}

const counted = (source: Source) => metricValue(t.url, 'hunt_matcher_matcher_matches_total', { source });

describe('the three matching paths of the matcher', () => {
  const expected = expectedLeads(randomWorld(SEED, SIZE, PLACES.continuous));

  it('make the same leads with the same attribution, each counted under its own source', async () => {
    // The world is worth testing: leads, and accounts where several hunts match one ad.
    expect(expected.length).toBeGreaterThan(20);
    const results: Partial<Record<Source, string[]>> = {};

    // Continuous: hunts first (silently), then the ads through the API.
    {
      const laid = layOut('continuous');
      const huntIds = await insertHunts('continuous', laid);
      const before = await counted('continuous');
      const ads = laid.world.ads.map((_, i) => inputOf(laid.world, i, laid.externalIdOf(i)));
      expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
      await t.waitForConsumerGroup('matcher', 'ads.scraped');
      results.continuous = await waitFor(async () => {
        const leads = await leadsOf(laid, huntIds);
        return leads.length >= expected.length ? leads : undefined;
      });
      expect((await counted('continuous')) - before).toBe(expected.length);
    }

    // Backfill: the ads first (silently), then the hunts through the API, oldest first.
    {
      const laid = layOut('backfill');
      await ingestWorldSilently(laid);
      const before = await counted('backfill');
      const huntIds: string[] = [];
      for (const h of laid.world.hunts) {
        const response = await http.api.post<{ id: string }>('/v1/hunts', {
          accountId: laid.accountOf(h),
          ...settingsOf(h),
        });
        expect(response.status).toBe(201);
        huntIds.push(response.body.id);
      }
      await t.waitForConsumerGroup('matcher-backfill', 'hunts.changed');
      results.backfill = await leadsOf(laid, huntIds);
      expect((await counted('backfill')) - before).toBe(expected.length);
    }

    // Catch-up: ads and hunts silently, then the day's tick.
    {
      const laid = layOut('catch_up');
      await ingestWorldSilently(laid);
      const huntIds = await insertHunts('catch_up', laid);
      const before = await counted('catch_up');
      const day = '2031-03-03';
      await runDailyTick(http, t.db, day);
      results.catch_up = await leadsOf(laid, huntIds);
      expect((await counted('catch_up')) - before).toBe(expected.length);
    }

    expect(results).toEqual({ continuous: expected, backfill: expected, catch_up: expected });
  }, 120_000);
});
