import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../src/domain/geo.js';
import { matchesHunt } from '../../src/domain/matchHunt.js';
import { normalizeBrand } from '../../src/domain/normalize.js';
import { ad, hunt } from '../../testkit/domainFixtures.js';

// The sample ad: a 2019 Peugeot 308, 14,500 EUR, 68,000 km, in Lyon 3e (69003), private seller.

describe('matching rules (docs/ARCHITECTURE.md section 2)', () => {
  it('matches an active hunt that sets nothing but the type and the place', () => {
    expect(matchesHunt(ad(), hunt())).toBe(true);
  });

  it('never matches a paused hunt', () => {
    expect(matchesHunt(ad(), hunt({ status: 'paused' }))).toBe(false);
  });

  it('requires the same ad type', () => {
    expect(matchesHunt(ad({ adType: 'motos' }), hunt())).toBe(false);
  });

  describe('ranges', () => {
    it('are inclusive at both ends', () => {
      expect(matchesHunt(ad(), hunt({ priceMin: 14_500, priceMax: 14_500 }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ modelYearMin: 2019, modelYearMax: 2019 }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ mileageMin: 68_000, mileageMax: 68_000 }))).toBe(true);
    });

    it('exclude a value one past a bound', () => {
      expect(matchesHunt(ad(), hunt({ priceMax: 14_499 }))).toBe(false);
      expect(matchesHunt(ad(), hunt({ priceMin: 14_501 }))).toBe(false);
      expect(matchesHunt(ad(), hunt({ modelYearMin: 2020 }))).toBe(false);
      expect(matchesHunt(ad(), hunt({ mileageMax: 67_999 }))).toBe(false);
    });

    it('are open where a bound is unset', () => {
      expect(matchesHunt(ad({ price: 1 }), hunt({ priceMax: 20_000 }))).toBe(true);
      expect(matchesHunt(ad({ price: 10_000_000 }), hunt({ priceMin: 5_000 }))).toBe(true);
    });

    it('do not match an ad without the value when a bound is set', () => {
      expect(matchesHunt(ad({ price: null }), hunt({ priceMax: 20_000 }))).toBe(false);
      expect(matchesHunt(ad({ modelYear: null }), hunt({ modelYearMin: 2010 }))).toBe(false);
      expect(matchesHunt(ad({ mileageKm: null }), hunt({ mileageMax: 100_000 }))).toBe(false);
      expect(matchesHunt(ad({ price: null, modelYear: null, mileageKm: null }), hunt())).toBe(true);
    });
  });

  describe('lists', () => {
    it('compare brands regardless of case, accents and punctuation', () => {
      expect(normalizeBrand('Mercedes-Benz')).toBe(normalizeBrand('mercedes benz'));
      expect(normalizeBrand('MERCÉDÈS  benz!')).toBe('mercedes benz');
      expect(matchesHunt(ad({ brand: 'CITROEN' }), hunt({ brands: ['Citroën'] }))).toBe(true);
      expect(matchesHunt(ad({ brand: 'mercedes benz' }), hunt({ brands: ['Mercedes-Benz'] }))).toBe(true);
      expect(matchesHunt(ad({ brand: 'Renault' }), hunt({ brands: ['Peugeot', 'Citroën'] }))).toBe(false);
    });

    it('do not match an ad without the value when the list is set', () => {
      expect(matchesHunt(ad({ brand: null }), hunt({ brands: ['Peugeot'] }))).toBe(false);
      expect(matchesHunt(ad({ subType: null }), hunt({ subTypes: ['berline'] }))).toBe(false);
      expect(matchesHunt(ad({ ownerType: null }), hunt({ ownerTypes: ['private'] }))).toBe(false);
    });

    it('check sub-types and owner types', () => {
      expect(matchesHunt(ad(), hunt({ subTypes: ['Berline', 'SUV'] }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ subTypes: ['suv'] }))).toBe(false);
      expect(matchesHunt(ad(), hunt({ ownerTypes: ['private'] }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ ownerTypes: ['pro'] }))).toBe(false);
    });
  });

  describe('location', () => {
    const paris = { label: 'Paris', zipcode: '75001', lat: 48.8566, lng: 2.3522 };
    const versailles = { lat: 48.8049, lng: 2.1204, zipcode: '78000' };

    it('uses the great-circle distance, inclusive of the radius', () => {
      const d = distanceKm(paris.lat, paris.lng, versailles.lat, versailles.lng);
      expect(d).toBeGreaterThan(17);
      expect(d).toBeLessThan(18);
      expect(matchesHunt(ad(versailles), hunt({ location: paris, radiusKm: 18 }))).toBe(true);
      expect(matchesHunt(ad(versailles), hunt({ location: paris, radiusKm: 17 }))).toBe(false);
    });

    it('with radius 0 means the same zipcode, with or without coordinates', () => {
      const lyon3 = { label: 'Lyon 3e', zipcode: '69003', lat: 45.7597, lng: 4.8422 };
      expect(matchesHunt(ad({ zipcode: '69003' }), hunt({ location: lyon3, radiusKm: 0 }))).toBe(true);
      expect(matchesHunt(ad({ zipcode: '69003', lat: null, lng: null }), hunt({ location: lyon3, radiusKm: 0 }))).toBe(
        true,
      );
      // Villeurbanne touches Lyon 3e, but it is another zipcode.
      expect(
        matchesHunt(ad({ zipcode: '69100', lat: 45.7719, lng: 4.8902 }), hunt({ location: lyon3, radiusKm: 0 })),
      ).toBe(false);
    });

    it('does not place an ad without coordinates in any radius', () => {
      expect(matchesHunt(ad({ lat: null, lng: null }), hunt({ radiusKm: 50 }))).toBe(false);
    });
  });

  describe('keywords', () => {
    it('must all appear in the title or description, whole words, without regard to case or accents', () => {
      expect(matchesHunt(ad(), hunt({ keywords: ['GT line', 'ENTRETIEN'] }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ keywords: ['premiere main'] }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ keywords: ['gt line', 'cuir'] }))).toBe(false);
      expect(matchesHunt(ad(), hunt({ keywords: ['line 1'] }))).toBe(true);
      expect(matchesHunt(ad(), hunt({ keywords: ['lin'] }))).toBe(false);
    });

    it('excluded ones must not appear', () => {
      expect(matchesHunt(ad(), hunt({ excludedKeywords: ['accidentée'] }))).toBe(true);
      expect(
        matchesHunt(ad({ description: 'Légèrement ACCIDENTEE à l’avant' }), hunt({ excludedKeywords: ['accidentée'] })),
      ).toBe(false);
      expect(matchesHunt(ad(), hunt({ excludedKeywords: ['toit ouvrant'] }))).toBe(false);
    });
  });

  describe('flags', () => {
    const flags = ['isUrgent', 'hasBeenReposted', 'priceHasDropped', 'hasBeenBoosted', 'isLowPrice'] as const;
    it.each(flags)('%s set on the hunt requires it on the ad; unset asks nothing', (flag) => {
      expect(matchesHunt(ad({ [flag]: true }), hunt({ [flag]: true }))).toBe(true);
      expect(matchesHunt(ad({ [flag]: false }), hunt({ [flag]: true }))).toBe(false);
      expect(matchesHunt(ad({ [flag]: true }), hunt({ [flag]: false }))).toBe(true);
      expect(matchesHunt(ad({ [flag]: false }), hunt({ [flag]: false }))).toBe(true);
    });
  });
});
