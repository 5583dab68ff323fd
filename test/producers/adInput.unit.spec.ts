// validateAds: the one check of an ad, for POST /v1/ads and the Lobstr importer alike.
import { describe, expect, it } from 'vitest';
import { validAdsOrThrow, validateAds } from '../../src/producers/ads/adInput.js';
import { ValidationError } from '../../src/domain/errors.js';

const now = new Date('2026-12-01T10:00:00Z');
const minimal = { externalId: '2700000001', title: 'Peugeot 308', adType: 'voitures' };
const checkOf = (ad: Record<string, unknown>) => validateAds([ad], { now })[0]!;

describe('validateAds', () => {
  it('turns an ad that passes into the domain ad: defaults filled in, the phone in E.164, the department, times in epoch ms', () => {
    expect(
      checkOf({ ...minimal, zipcode: '69003', phone: '06 12 34 56 78', firstPublishedAt: '2026-11-20T08:00:00Z' }),
    ).toEqual({
      ok: true,
      ad: {
        source: 'leboncoin',
        externalId: '2700000001',
        url: null,
        title: 'Peugeot 308',
        description: '',
        price: null,
        adType: 'voitures',
        subType: null,
        brand: null,
        model: null,
        modelYear: null,
        mileageKm: null,
        fuel: null,
        gearbox: null,
        zipcode: '69003',
        city: null,
        department: '69',
        lat: null,
        lng: null,
        ownerName: null,
        ownerType: null,
        phone: '+33612345678',
        acceptSalesmen: true,
        isUrgent: false,
        hasBeenReposted: false,
        priceHasDropped: false,
        hasBeenBoosted: false,
        isLowPrice: false,
        pictures: [],
        firstPublishedAt: Date.parse('2026-11-20T08:00:00Z'),
        lastPublishedAt: null,
        scrapedAt: now.getTime(),
      },
    });
  });

  it('refuses, naming the field, what the schema refuses and what it cannot express', () => {
    expect(checkOf({ ...minimal, price: -1 })).toMatchObject({ ok: false, field: 'price' });
    expect(checkOf({ externalId: 'x', adType: 'voitures' })).toMatchObject({ ok: false, field: 'title' });
    expect(checkOf({ ...minimal, colour: 'red' })).toMatchObject({ ok: false, field: 'colour' });
    expect(checkOf({ ...minimal, lat: 45.7 })).toEqual({
      ok: false,
      field: 'lng',
      problem: 'must be given together with lat/lng',
    });
    expect(checkOf({ ...minimal, scrapedAt: '1999-12-31T23:59:59Z' })).toEqual({
      ok: false,
      field: 'scrapedAt',
      problem: 'must be a date-time between 2000 and 2100',
    });
    expect(
      checkOf({ ...minimal, firstPublishedAt: '2026-11-27T08:00:00Z', lastPublishedAt: '2026-11-20T08:00:00Z' }),
    ).toEqual({
      ok: false,
      field: 'lastPublishedAt',
      problem: 'must not be before firstPublishedAt',
    });
    expect(checkOf({ ...minimal, phone: 'appelez-moi' })).toMatchObject({ ok: false, field: 'phone' });
  });

  it('answers a request with the ads, or a ValidationError naming the first ad at fault by its index', () => {
    expect(validAdsOrThrow([minimal], { now })).toHaveLength(1);
    const error = (() => {
      try {
        validAdsOrThrow([minimal, minimal, { ...minimal, phone: '06 12' }], { now });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'body/ads/2/phone' });
  });
});
