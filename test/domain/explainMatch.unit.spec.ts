import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainMatch } from '../../src/domain/explainMatch.js';
import { createHuntIndex } from '../../src/domain/huntIndex.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { ad, hunt } from '../../testkit/domainFixtures.js';

// Small domains, so that random hunts and ads agree often enough on each criterion for both answers
// (match and no match) to be common.
const BRANDS = ['Peugeot', 'PEUGEOT', 'Renault', 'Citroën', 'citroen', 'Mercedes-Benz'];
const WORDS = ['gt line', 'GT', 'cuir', 'première main', 'Premiere', 'toit ouvrant', 'accidentée', '!!!'];
const ZIPCODES = ['69003', '69100', '75011'];
const SUB_TYPES = ['berline', 'SUV', 'citadine'];

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 2 });
/** A hunt criterion left unset three times out of four: a random hunt then sets a few of them. */
const rarely = <T, U>(unset: U, a: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(unset) }, { weight: 1, arbitrary: a });
const flag = fc.boolean();
const huntFlag = rarely(false, fc.constant(true));
const text = fc
  .array(fc.constantFrom(...WORDS, 'Peugeot 308', 'très bon état'), { maxLength: 4 })
  .map((w) => w.join(' '));

const huntArb: fc.Arbitrary<Hunt> = fc
  .record({
    status: fc.constantFrom('active', 'active', 'active', 'paused'),
    adType: fc.constantFrom('voitures', 'voitures', 'motos'),
    subTypes: rarely([], fc.array(fc.constantFrom(...SUB_TYPES), { minLength: 1, maxLength: 2 })),
    brands: rarely([], fc.array(fc.constantFrom(...BRANDS), { minLength: 1, maxLength: 2 })),
    zipcode: fc.constantFrom(...ZIPCODES),
    lat: fc.double({ min: 45.5, max: 46, noNaN: true }),
    lng: fc.double({ min: 4.6, max: 5.1, noNaN: true }),
    radiusKm: fc.constantFrom(0, 5, 20, 50, 50),
    priceMin: rarely(null, fc.integer({ min: 0, max: 15_000 })),
    priceMax: rarely(null, fc.integer({ min: 10_000, max: 30_000 })),
    modelYearMin: rarely(null, fc.integer({ min: 2010, max: 2020 })),
    modelYearMax: rarely(null, fc.integer({ min: 2015, max: 2026 })),
    mileageMin: rarely(null, fc.integer({ min: 0, max: 50_000 })),
    mileageMax: rarely(null, fc.integer({ min: 50_000, max: 200_000 })),
    ownerTypes: rarely([], fc.subarray(['private', 'pro'] as const, { minLength: 1 })),
    keywords: rarely([], fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 2 })),
    excludedKeywords: rarely([], fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 1 })),
    isUrgent: huntFlag,
    hasBeenReposted: huntFlag,
    priceHasDropped: huntFlag,
    hasBeenBoosted: huntFlag,
    isLowPrice: huntFlag,
  })
  .map(({ zipcode, lat, lng, ...h }) => hunt({ ...h, location: { label: 'x', zipcode, lat, lng } }));

const adArb: fc.Arbitrary<Ad> = fc
  .record({
    adType: fc.constantFrom('voitures', 'voitures', 'motos'),
    subType: nullable(fc.constantFrom(...SUB_TYPES, 'Berline')),
    brand: nullable(fc.constantFrom(...BRANDS)),
    price: nullable(fc.integer({ min: 0, max: 30_000 })),
    modelYear: nullable(fc.integer({ min: 2005, max: 2026 })),
    mileageKm: nullable(fc.integer({ min: 0, max: 250_000 })),
    zipcode: nullable(fc.constantFrom(...ZIPCODES)),
    located: fc.boolean(),
    lat: fc.double({ min: 45.4, max: 46.1, noNaN: true }),
    lng: fc.double({ min: 4.5, max: 5.2, noNaN: true }),
    ownerType: nullable(fc.constantFrom('private', 'pro')),
    title: text,
    description: text,
    isUrgent: flag,
    hasBeenReposted: flag,
    priceHasDropped: flag,
    hasBeenBoosted: flag,
    isLowPrice: flag,
  })
  .map(({ located, lat, lng, ...a }) => ad({ ...a, lat: located ? lat : null, lng: located ? lng : null }));

describe('explainMatch', () => {
  it("says `matches` exactly when the matcher's hunt index, built from that one hunt, returns the hunt", () => {
    let matched = 0;
    fc.assert(
      fc.property(huntArb, adArb, (h, a) => {
        const index = createHuntIndex();
        index.upsert(h);
        const indexed = index.match(a).some((m) => m.id === h.id);
        const explained = explainMatch(a, h);
        if (explained.matches) matched++;
        expect(explained.matches).toBe(indexed);
        expect(explained.matches).toBe(explained.criteria.every((c) => c.ok));
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
    // The property must see both answers, not only "no".
    expect(matched).toBeGreaterThan(100);
  });

  it('reports every criterion the hunt sets, and only those', () => {
    expect(explainMatch(ad(), hunt()).criteria.map((c) => c.name)).toEqual(['status', 'adType', 'location']);
    const everything = hunt({
      subTypes: ['berline'],
      brands: ['Peugeot'],
      priceMax: 20_000,
      modelYearMin: 2015,
      mileageMin: 1,
      ownerTypes: ['private'],
      keywords: ['gt line'],
      excludedKeywords: ['accidentée'],
      isUrgent: true,
      hasBeenReposted: true,
      priceHasDropped: true,
      hasBeenBoosted: true,
      isLowPrice: true,
    });
    expect(explainMatch(ad(), everything).criteria.map((c) => c.name)).toEqual([
      'status',
      'adType',
      'subTypes',
      'brands',
      'price',
      'modelYear',
      'mileage',
      'location',
      'ownerTypes',
      'keywords',
      'excludedKeywords',
      'isUrgent',
      'hasBeenReposted',
      'priceHasDropped',
      'hasBeenBoosted',
      'isLowPrice',
    ]);
  });

  it('names each failing criterion with what the hunt expects and what the ad has', () => {
    const h = hunt({
      brands: ['Renault'],
      priceMax: 10_000,
      keywords: ['GT line', 'cuir', 'toit ouvrant'],
      excludedKeywords: ['première main'],
      isUrgent: true,
    });
    const { matches, criteria } = explainMatch(ad({ isUrgent: false }), h);
    expect(matches).toBe(false);
    const failing = Object.fromEntries(
      criteria.filter((c) => !c.ok).map((c) => [c.name, { expected: c.expected, actual: c.actual }]),
    );
    expect(failing).toEqual({
      brands: { expected: ['Renault'], actual: 'Peugeot' },
      price: { expected: { min: null, max: 10_000 }, actual: 14_500 },
      keywords: { expected: ['GT line', 'cuir', 'toit ouvrant'], actual: { missing: ['cuir'] } },
      excludedKeywords: { expected: ['première main'], actual: { found: ['première main'] } },
      isUrgent: { expected: true, actual: false },
    });
  });

  it('gives the distance for a radius and the zipcodes for radius 0', () => {
    const paris = { label: 'Paris', zipcode: '75001', lat: 48.8566, lng: 2.3522 };
    const near = explainMatch(
      ad({ lat: 48.8049, lng: 2.1204, zipcode: '78000' }),
      hunt({ location: paris, radiusKm: 18 }),
    );
    expect(near.criteria.find((c) => c.name === 'location')).toEqual({
      name: 'location',
      ok: true,
      expected: { radiusKm: 18 },
      actual: { distanceKm: 17.9, zipcode: '78000' },
    });
    const same = explainMatch(ad({ lat: null, lng: null, zipcode: '75002' }), hunt({ location: paris, radiusKm: 0 }));
    expect(same.criteria.find((c) => c.name === 'location')).toEqual({
      name: 'location',
      ok: false,
      expected: { radiusKm: 0, zipcode: '75001' },
      actual: { distanceKm: null, zipcode: '75002' },
    });
  });

  it('reports a paused hunt as failing on its status', () => {
    const { matches, criteria } = explainMatch(ad(), hunt({ status: 'paused' }));
    expect(matches).toBe(false);
    expect(criteria[0]).toEqual({ name: 'status', ok: false, expected: 'active', actual: 'paused' });
  });
});
