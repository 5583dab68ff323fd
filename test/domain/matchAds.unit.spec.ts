// The three matching paths, as the matcher runs them (src/consumers/matcher/), on random worlds:
// continuous matching (every hunt indexed, the ads arriving in batches), a hunt's backfill (the hunts
// created one by one, oldest first, each backfilled over the ads already there, in any order), and
// the daily catch-up (groups of hunts that never split an account, the ads in pages). Each records a
// lead only where the account has none yet, as recordMatches does. All three must give the same
// leads with the same attribution: the account's oldest active hunt matching the ad.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareAge } from '../../src/domain/huntAge.js';
import { huntIndexOf } from '../../src/domain/huntIndex.js';
import { matchAds, type Match } from '../../src/domain/matchAds.js';
import { matchesHunt } from '../../src/domain/matchHunt.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { ad, hunt } from '../../testkit/domainFixtures.js';
import { randomWorld, type World } from '../../testkit/matchingWorld.js';

/** Lead per (account, ad) -> the hunt it is attributed to; a lead once created stays as it is. */
type Leads = Map<string, string>;
const record = (leads: Leads, matches: Match[]) => {
  for (const m of matches) {
    const key = `${m.hunt.accountId}/${m.ad.adId}`;
    if (!leads.has(key)) leads.set(key, m.hunt.id);
  }
};
const chunks = <T>(list: T[], size: number) =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

function continuous(world: World, batch: number): Leads {
  const leads: Leads = new Map();
  const index = huntIndexOf(world.hunts);
  for (const ads of chunks(world.ads, batch)) record(leads, matchAds(ads, index));
  return leads;
}

/** `order`: the order the backfills run in (a permutation of the hunts); a hunt exists from its backfill's turn on, with every older one. */
function backfill(world: World, order: number[]): Leads {
  const leads: Leads = new Map();
  let created = 0;
  for (const i of order) {
    created = Math.max(created, i + 1);
    const target = world.hunts[i]!;
    if (target.status !== 'active') continue;
    const accountHunts = world.hunts.slice(0, created).filter((h) => h.accountId === target.accountId);
    record(leads, matchAds(world.ads, huntIndexOf(accountHunts), { matchedBy: target.id }));
  }
  return leads;
}

function catchUp(world: World, groupSize: number, page: number): Leads {
  const leads: Leads = new Map();
  const byAccount = new Map<string, Hunt[]>();
  for (const h of world.hunts) byAccount.set(h.accountId, [...(byAccount.get(h.accountId) ?? []), h]);
  const groups: Hunt[][] = [[]];
  for (const list of byAccount.values()) {
    groups[groups.length - 1]!.push(...list);
    if (groups[groups.length - 1]!.length >= groupSize) groups.push([]);
  }
  for (const group of groups) {
    const index = huntIndexOf(group);
    for (const ads of chunks(world.ads, page)) record(leads, matchAds(ads, index, { looksAt: () => true }));
  }
  return leads;
}

/** What the rules say, hunt by hunt: the oldest active hunt of the account that matches the ad. */
function reference(world: World): Leads {
  const leads: Leads = new Map();
  const oldestFirst = [...world.hunts].sort((a, b) =>
    compareAge(a.createdAt.getTime(), a.id, b.createdAt.getTime(), b.id),
  );
  for (const a of world.ads) {
    for (const h of oldestFirst) {
      const key = `${h.accountId}/${a.adId}`;
      if (h.status === 'active' && !leads.has(key) && matchesHunt(a, h)) leads.set(key, h.id);
    }
  }
  return leads;
}

const sorted = (leads: Leads) => [...leads].sort(([a], [b]) => (a < b ? -1 : 1));

describe('matchAds, as the three matching paths use it', () => {
  it('gives the same leads, attributed to the same hunts, through continuous matching, backfills in any order and the catch-up', () => {
    let leadsSeen = 0;
    let contested = 0;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.record({
          accounts: fc.integer({ min: 1, max: 4 }),
          hunts: fc.integer({ min: 1, max: 16 }),
          ads: fc.integer({ min: 0, max: 40 }),
        }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 15 }),
        fc.infiniteStream(fc.nat()),
        (seed, size, batch, groupSize, page, shuffleBy) => {
          const world = randomWorld(seed, size);
          const keys = [...shuffleBy.take(world.hunts.length)];
          const order = world.hunts.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
          const expected = sorted(reference(world));
          expect(sorted(continuous(world, batch))).toEqual(expected);
          expect(sorted(backfill(world, order))).toEqual(expected);
          expect(sorted(catchUp(world, groupSize, page))).toEqual(expected);
          leadsSeen += expected.length;
          // Leads whose account has several active hunts matching the ad: there, attribution decides.
          for (const [key] of expected) {
            const a = world.ads.find((x) => key.endsWith(`/${x.adId}`))!;
            if (
              world.hunts.filter((h) => key.startsWith(`${h.accountId}/`) && h.status === 'active' && matchesHunt(a, h))
                .length > 1
            )
              contested++;
          }
        },
      ),
      { numRuns: 300 },
    );
    // The worlds must exercise the rules: many leads, and accounts with several matching hunts.
    expect(leadsSeen).toBeGreaterThan(1000);
    expect(contested).toBeGreaterThan(200);
  });

  it("attributes a backfilled hunt's ads to the account's older matching hunt, and leaves other accounts alone", () => {
    const account = '00000000-0000-7000-8000-0000000000a1';
    const other = '00000000-0000-7000-8000-0000000000a2';
    const older = hunt({
      id: '00000000-0000-7000-8000-000000000001',
      accountId: account,
      createdAt: new Date('2026-11-01T00:00:00Z'),
    });
    const target = hunt({
      id: '00000000-0000-7000-8000-000000000002',
      accountId: account,
      createdAt: new Date('2026-11-02T00:00:00Z'),
      priceMax: 20_000,
    });
    const othersHunt = hunt({ id: '00000000-0000-7000-8000-000000000003', accountId: other });
    const cheap = ad({ adId: '00000000-0000-7000-8000-00000000ad01', price: 10_000 });
    const dear = ad({ adId: '00000000-0000-7000-8000-00000000ad02', price: 30_000 });
    const matches = matchAds([cheap, dear], huntIndexOf([older, target, othersHunt]), { matchedBy: target.id });
    // The dear ad is not the target's; the other account's hunt matches both, but is not backfilled here.
    expect(matches.map((m) => [m.hunt.id, m.ad.adId])).toEqual([[older.id, cheap.adId]]);
  });

  it('lets a hunt of the catch-up look only at the ads it has not scanned, and attributes among those that look', () => {
    const account = '00000000-0000-7000-8000-0000000000a1';
    const scannedLately = hunt({
      id: '00000000-0000-7000-8000-000000000001',
      accountId: account,
      createdAt: new Date('2026-11-01T00:00:00Z'),
      lastScanAt: new Date('2026-11-20T00:00:00Z'),
    });
    const younger = hunt({
      id: '00000000-0000-7000-8000-000000000002',
      accountId: account,
      createdAt: new Date('2026-11-02T00:00:00Z'),
    });
    const early: Ad = ad({
      adId: '00000000-0000-7000-8000-00000000ad01',
      scrapedAt: Date.parse('2026-11-10T00:00:00Z'),
    });
    const late: Ad = ad({
      adId: '00000000-0000-7000-8000-00000000ad02',
      scrapedAt: Date.parse('2026-11-21T00:00:00Z'),
    });
    const looksAt = (h: Hunt, a: Ad) => a.scrapedAt >= (h.lastScanAt?.getTime() ?? 0);
    const matches = matchAds([early, late], huntIndexOf([scannedLately, younger]), { looksAt });
    expect(matches.map((m) => [m.hunt.id, m.ad.adId])).toEqual([
      [younger.id, early.adId],
      [scannedLately.id, late.adId],
    ]);
  });
});
