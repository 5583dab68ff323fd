import { describe, expect, it } from 'vitest';
import { createHuntIndex, linearScan } from '../../src/domain/huntIndex.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { ad, hunt } from '../../testkit/domainFixtures.js';
import { seededRandom, type Random } from '../../testkit/random.js';

const BRANDS = [
  'Peugeot',
  'Renault',
  'Citroën',
  'CITROEN',
  'Mercedes-Benz',
  'mercedes benz',
  'Volkswagen',
  'Škoda',
  'BMW',
  'Toyota',
];
// Multi-word keywords, and words that start several of them: the index files keyword hunts by first word.
const WORDS = [
  'toit ouvrant',
  'toit panoramique',
  'cuir',
  'gps',
  'première main',
  'Première',
  'accidentée',
  'diesel',
  'garantie',
  'GT Line',
  'gt',
];
const uuid = (n: number) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const maybe = <T>(r: Random, p: number, value: () => T): T | null => (r.chance(p) ? value() : null);

function randomHunt(r: Random, n: number): Hunt {
  const priceMin = maybe(r, 0.3, () => r.int(0, 20_000));
  const zipcode = String(r.int(1, 95)).padStart(2, '0') + '000';
  return hunt({
    id: uuid(n),
    accountId: uuid(100_000 + r.int(0, 300)),
    adType: r.pick(['voitures', 'voitures', 'voitures', 'motos']),
    brands: r.chance(0.6) ? Array.from({ length: r.int(1, 3) }, () => r.pick(BRANDS)) : [],
    subTypes: r.chance(0.1) ? [r.pick(['berline', 'SUV', 'citadine'])] : [],
    location: { label: 'x', zipcode, lat: r.uniform(42, 51), lng: r.uniform(-5, 8) },
    radiusKm: r.pick([0, 0, 5, 20, 50, 50, 100, 150, 150, 450]),
    priceMin,
    priceMax: maybe(r, 0.5, () => (priceMin ?? 0) + r.int(0, 30_000)),
    modelYearMin: maybe(r, 0.3, () => r.int(2000, 2020)),
    modelYearMax: maybe(r, 0.2, () => r.int(2015, 2026)),
    mileageMax: maybe(r, 0.3, () => r.int(20_000, 250_000)),
    ownerTypes: r.chance(0.2) ? [r.pick(['private', 'pro'] as const)] : [],
    keywords: r.chance(0.3) ? (r.chance(0.3) ? [r.pick(WORDS), r.pick(WORDS)] : [r.pick(WORDS)]) : [],
    excludedKeywords: r.chance(0.1) ? [r.pick(WORDS)] : [],
    isUrgent: r.chance(0.05),
    priceHasDropped: r.chance(0.05),
    isLowPrice: r.chance(0.05),
    status: r.chance(0.9) ? 'active' : 'paused',
    createdAt: new Date(Date.UTC(2026, 0, 1) + r.int(0, 1000) * 60_000),
  });
}

function randomAd(r: Random, n: number, zipcodes: string[]): Ad {
  const located = r.chance(0.9);
  return ad({
    adId: uuid(500_000 + n),
    adType: r.pick(['voitures', 'voitures', 'motos']),
    brand: r.chance(0.9) ? r.pick(BRANDS) : null,
    subType: r.chance(0.8) ? r.pick(['berline', 'suv', 'Citadine']) : null,
    price: maybe(r, 0.95, () => r.int(500, 60_000)),
    modelYear: maybe(r, 0.9, () => r.int(1998, 2026)),
    mileageKm: maybe(r, 0.9, () => r.int(0, 300_000)),
    // Some ads share a hunt's zipcode, so that radius-0 hunts find something.
    zipcode: r.chance(0.3) ? r.pick(zipcodes) : String(r.int(1, 95)).padStart(2, '0') + '100',
    lat: located ? r.uniform(42, 51) : null,
    lng: located ? r.uniform(-5, 8) : null,
    ownerType: r.pick(['private', 'pro', null]),
    title: `${r.pick(BRANDS)} ${r.chance(0.5) ? r.pick(WORDS) : ''}`,
    description: r.chance(0.5) ? r.pick(WORDS) : '',
    isUrgent: r.chance(0.2),
    priceHasDropped: r.chance(0.2),
    isLowPrice: r.chance(0.2),
  });
}

describe('the hunt index', () => {
  it('gives exactly the answers of a linear scan: 10,000 random ads against 2,000 random hunts', () => {
    const r = seededRandom(20261128);
    const hunts = Array.from({ length: 2000 }, (_, i) => randomHunt(r, i));
    const index = createHuntIndex();
    for (const h of hunts) index.upsert(h);
    const reference = index.all();
    expect(index.size).toBe(hunts.filter((h) => h.status === 'active').length);
    const zipcodes = hunts.map((h) => h.location.zipcode);
    let matched = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = randomAd(r, i, zipcodes);
      const expected = linearScan(reference, a).map((h) => h.id);
      const actual = index.match(a).map((h) => h.id);
      if (actual.join() !== expected.join()) expect({ ad: a, actual }).toEqual({ ad: a, actual: expected });
      matched += expected.length;
    }
    // The data must exercise the index: plenty of matches, including radius 0 and wide hunts.
    expect(matched).toBeGreaterThan(5_000);
  });

  it('returns the matching hunts oldest first', () => {
    const index = createHuntIndex();
    index.upsert(hunt({ id: uuid(2), createdAt: new Date('2026-03-01') }));
    index.upsert(hunt({ id: uuid(1), createdAt: new Date('2026-01-01') }));
    index.upsert(hunt({ id: uuid(3), createdAt: new Date('2026-02-01'), brands: ['peugeot'] }));
    expect(index.match(ad()).map((h) => h.id)).toEqual([uuid(1), uuid(3), uuid(2)]);
  });

  it('replaces a hunt whose criteria change, and drops it when paused or removed', () => {
    const index = createHuntIndex();
    index.upsert(hunt({ priceMax: 10_000 }));
    expect(index.match(ad())).toHaveLength(0);
    index.upsert(hunt({ priceMax: 20_000, version: 2 }));
    expect(index.match(ad())).toHaveLength(1);
    index.upsert(hunt({ brands: ['Renault'], version: 3 }));
    expect(index.match(ad())).toHaveLength(0);
    index.upsert(hunt({ version: 4, status: 'paused' }));
    expect(index.size).toBe(0);
    index.upsert(hunt({ version: 5 }));
    expect(index.match(ad())).toHaveLength(1);
    index.remove(hunt().id);
    expect(index.match(ad())).toHaveLength(0);
    expect(index.size).toBe(0);
  });

  it('ignores a change older than the version it holds, even after a pause', () => {
    const index = createHuntIndex();
    index.upsert(hunt({ version: 3, status: 'paused' }));
    index.upsert(hunt({ version: 2 }));
    expect(index.size).toBe(0);
    index.upsert(hunt({ version: 4, priceMax: 20_000 }));
    index.upsert(hunt({ version: 3, priceMax: 1_000 }));
    expect(index.get(hunt().id)?.priceMax).toBe(20_000);
  });
});
