import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { adInputSchema } from '../../src/producers/ads/adInput.js';
import { mapLobstrResult, parseResultsPage, toE164 } from '../../src/producers/lobstr/mapResult.js';
import { lobstrResult } from '../support/fakeLobstr.js';

const ajv = new Ajv({ strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const valid = ajv.compile(adInputSchema);

const map = (overrides: Record<string, unknown> = {}) => {
  const mapped = mapLobstrResult(lobstrResult(overrides));
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.ad;
};

describe('mapping a Lobstr LeBonCoin result', () => {
  it('produces an ad that POST /v1/ads accepts, with every field in place', () => {
    const ad = map();
    expect(valid(ad)).toBe(true);
    expect(ad).toMatchObject({
      source: 'leboncoin',
      externalId: '2712345678',
      title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
      price: 14500,
      adType: 'voitures',
      subType: 'Berline',
      brand: 'Peugeot',
      model: '308',
      modelYear: 2019,
      mileageKm: 68000,
      fuel: 'Diesel',
      gearbox: 'Manuelle',
      zipcode: '69003',
      department: '69',
      city: 'Lyon',
      lat: 45.7597,
      lng: 4.8422,
      ownerName: 'Julie',
      ownerType: 'private',
      phone: '+33612345678',
      acceptSalesmen: true,
      hasBeenBoosted: true,
      pictures: ['https://img.leboncoin.fr/1.jpg', 'https://img.leboncoin.fr/2.jpg'],
    });
  });

  it('reads publication dates as Paris time', () => {
    const ad = map({ first_publication_date: '2026-07-14 10:00:00', last_publication_date: '2026-11-28 10:00:00' });
    expect(ad.firstPublishedAt).toBe('2026-07-14T08:00:00.000Z');
    expect(ad.lastPublishedAt).toBe('2026-11-28T09:00:00.000Z');
  });

  it('derives priceHasDropped from old_price', () => {
    expect(map({ price: 14500, old_price: 15200 }).priceHasDropped).toBe(true);
    expect(map({ price: 14500, old_price: 14500 }).priceHasDropped).toBe(false);
    expect(map({ old_price: null }).priceHasDropped).toBe(false);
  });

  it('derives hasBeenReposted from differing publication dates', () => {
    expect(map().hasBeenReposted).toBe(true);
    expect(map({ last_publication_date: '2026-11-20 09:00:00' }).hasBeenReposted).toBe(false);
  });

  it('derives isLowPrice from the lower third of the price band', () => {
    // Band 13,000 to 19,000: the lower third ends at 15,000.
    expect(map({ price: 14_999 }).isLowPrice).toBe(true);
    expect(map({ price: 15_000 }).isLowPrice).toBe(false);
    expect(map({ car_price_min: null }).isLowPrice).toBe(false);
  });

  it('reads prices and mileages written for people, and details given as a list', () => {
    const ad = map({ price: '12 500 €', details: [{ label: 'Marque', value: 'Citroën' }, { label: 'Kilométrage', value: '120 000 km' }] });
    expect(ad).toMatchObject({ price: 12500, brand: 'Citroën', mileageKm: 120000 });
  });

  it('maps sellers: no_salesmen, owner types, urgent', () => {
    expect(map({ no_salesmen: true }).acceptSalesmen).toBe(false);
    expect(map({ owner_type: 'pro' }).ownerType).toBe('pro');
    expect(map({ owner_type: 'Particulier' }).ownerType).toBe('private');
    expect(map({ urgent: true }).isUrgent).toBe(true);
  });

  it('normalises French phone numbers to E.164 and drops what is not a number', () => {
    expect(toE164('06 12 34 56 78')).toBe('+33612345678');
    expect(toE164('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(toE164('0033612345678')).toBe('+33612345678');
    expect(toE164('06.12.34.56.78')).toBe('+33612345678');
    expect(toE164('appelez-moi')).toBeNull();
    expect(map({ phone: '' }).phone).toBeNull();
  });

  it('gives Corsica its departments and drops unusable coordinates', () => {
    expect(map({ postal_code: '20000' }).department).toBe('2A');
    expect(map({ postal_code: '20200' }).department).toBe('2B');
    expect(map({ lat: 'n/a' })).toMatchObject({ lat: null, lng: null });
  });

  it('refuses, with a reason naming the field, what cannot be mapped', () => {
    expect(mapLobstrResult(lobstrResult({ annonce_id: null }))).toEqual({ ok: false, id: null, reason: 'annonce_id is missing' });
    expect(mapLobstrResult(lobstrResult({ title: ' ' }))).toEqual({ ok: false, id: '2712345678', reason: 'title is missing' });
    expect(mapLobstrResult(lobstrResult({ category_name: 'Immobilier' }))).toMatchObject({ ok: false, reason: expect.stringContaining('category_name') as unknown });
    expect(mapLobstrResult('nonsense')).toMatchObject({ ok: false });
  });

  it('reads the results envelope', () => {
    expect(parseResultsPage({ count: 250, page: 1, limit: 100, total_pages: 3, data: [1, 2] })).toEqual({ results: [1, 2], totalPages: 3, totalResults: 250 });
    expect(parseResultsPage({ total_results: 250, limit: 100, results: [] })).toEqual({ results: [], totalPages: 3, totalResults: 250 });
  });
});
