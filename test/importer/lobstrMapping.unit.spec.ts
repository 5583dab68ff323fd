import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAds, type AdInput } from '../../src/producers/ads/adInput.js';
import { departmentOf } from '../../src/domain/department.js';
import { describeResult, mapLobstrResult } from '../../src/importer/mapResult.js';
import { parseResultsPage } from '../../src/importer/resultsPage.js';
import { phoneNumber } from '../../src/importer/resultValues.js';
import { lobstrResult, lobstrResults } from '../../testkit/fakeLobstr.js';

// The sample result (testkit/fakeLobstr.ts): a 2019 Peugeot 308 in Lyon 3e, 14,500 EUR (was 15,200),
// LeBonCoin's band 13,000-19,000, private seller Julie, 06 12 34 56 78, published 20 Nov, reposted 27 Nov.

/** What the importer asks of a mapped ad: the checks of POST /v1/ads (validateAds), or why not. */
const refusal = (ad: AdInput) => {
  const [check] = validateAds([ad], { now: new Date() });
  return check!.ok ? null : `${check!.field} ${check!.problem}`;
};

/** Maps a sample result with some fields replaced, insisting that it maps and that POST /v1/ads would take it. */
function map(overrides: Record<string, unknown> = {}): AdInput {
  const mapped = mapLobstrResult(lobstrResult(overrides));
  if (!mapped.ok) throw new Error(`expected the result to map, got: ${mapped.reason}`);
  const refused = refusal(mapped.ad);
  if (refused) throw new Error(`POST /v1/ads would refuse the mapped ad: ${refused}`);
  return mapped.ad;
}

const withDetails = (details: unknown, moreDetails: unknown = {}) => map({ details, more_details: moreDetails });

describe('mapping a Lobstr LeBonCoin result to an ad', () => {
  it('maps a complete car result, field by field, into an ad that POST /v1/ads accepts', () => {
    expect(map()).toEqual({
      source: 'leboncoin',
      externalId: '2712345678',
      url: 'https://www.leboncoin.fr/ad/voitures/2712345678',
      title: 'Peugeot 308 GT Line 1.5 BlueHDi 130',
      description: 'Première main, carnet d’entretien à jour, distribution faite à 60 000 km. Pneus neufs.',
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
      city: 'Lyon',
      department: '69',
      lat: 45.7597,
      lng: 4.8422,
      ownerName: 'Julie',
      ownerType: 'private',
      phone: '+33612345678',
      acceptSalesmen: true,
      isUrgent: false,
      hasBeenReposted: true,
      priceHasDropped: true,
      hasBeenBoosted: true,
      isLowPrice: true,
      pictures: [
        'https://img.leboncoin.fr/api/v1/lbcpb1/images/3a/9c/1.jpg?rule=ad-large',
        'https://img.leboncoin.fr/api/v1/lbcpb1/images/3a/9c/2.jpg?rule=ad-large',
      ],
      firstPublishedAt: '2026-11-20T08:00:00.000Z',
      lastPublishedAt: '2026-11-27T09:30:00.000Z',
      scrapedAt: '2026-11-28T06:02:11.000Z',
    });
  });

  it('maps every generated fixture into a valid ad with its own external id', () => {
    const ads = lobstrResults(300, 7).map((r) => mapLobstrResult(r));
    const invalid = ads.filter((m) => !m.ok || refusal(m.ad) !== null);
    expect(invalid).toEqual([]);
    expect(new Set(ads.map((m) => (m.ok ? m.ad.externalId : null))).size).toBe(300);
  });

  it('leaves to the checks of POST /v1/ads a result published last before it was published first, or in another century', () => {
    // The mapping reads the dates as they are; validateAds refuses them for the importer as for the API.
    const backwards = mapLobstrResult(
      lobstrResult({ first_publication_date: '2026-11-27 10:30:00', last_publication_date: '2026-11-20 09:00:00' }),
    );
    expect(backwards.ok && refusal(backwards.ad)).toBe('lastPublishedAt must not be before firstPublishedAt');
    const old = mapLobstrResult(lobstrResult({ first_publication_date: '1899-05-01 10:00:00' }));
    expect(old.ok && refusal(old.ad)).toBe('firstPublishedAt must be a date-time between 2000 and 2100');
  });

  describe('identity', () => {
    it("uses 'leboncoin' as source and annonce_id, as a string, as externalId", () => {
      expect(map({ annonce_id: 2712345678 })).toMatchObject({ source: 'leboncoin', externalId: '2712345678' });
      expect(map({ annonce_id: ' 2712345678 ' }).externalId).toBe('2712345678');
    });

    it("never takes Lobstr's result hash (`id`) for the listing id", () => {
      expect(mapLobstrResult(lobstrResult({ annonce_id: undefined, id: 'c7a1f0e2b3d44b5e9f6a7b8c9d0e1f2a' }))).toEqual({
        ok: false,
        id: null,
        reason: 'annonce_id is missing',
      });
    });
  });

  describe('details with French labels', () => {
    it('reads brand, model, model year, mileage, fuel, gearbox and vehicle type from their labels', () => {
      const ad = withDetails({
        Marque: 'Renault',
        Modèle: 'Clio',
        'Année modèle': '2018',
        Kilométrage: '120 000 km',
        Carburant: 'Essence',
        'Boîte de vitesse': 'Automatique',
        'Type de véhicule': 'Citadine',
      });
      expect(ad).toMatchObject({
        brand: 'Renault',
        model: 'Clio',
        modelYear: 2018,
        mileageKm: 120000,
        fuel: 'Essence',
        gearbox: 'Automatique',
        subType: 'Citadine',
      });
    });

    it('matches labels whatever their case, accents and spacing', () => {
      const ad = withDetails({
        MARQUE: 'Citroën',
        modele: 'C3',
        'annee  modele': '2017',
        KILOMETRAGE: '45\u202f000 km',
        'Boite de vitesses': 'Manuelle',
      });
      expect(ad).toMatchObject({
        brand: 'Citroën',
        model: 'C3',
        modelYear: 2017,
        mileageKm: 45000,
        gearbox: 'Manuelle',
      });
    });

    it('reads details given as a list of labelled values, as LeBonCoin attributes', () => {
      const ad = withDetails([
        { label: 'Marque', value: 'Toyota' },
        { key: 'mileage', key_label: 'Kilométrage', value: '95000', value_label: '95 000 km' },
        { key: 'regdate', value: '2015', value_label: '2015' },
      ]);
      expect(ad).toMatchObject({ brand: 'Toyota', mileageKm: 95000, modelYear: 2015 });
    });

    it('reads details and more_details given as JSON text', () => {
      const ad = withDetails(
        JSON.stringify({ Marque: 'Dacia', Kilométrage: '30 000 km' }),
        JSON.stringify({ car_price_min: '9000', car_price_max: '12000' }),
      );
      expect(ad).toMatchObject({ brand: 'Dacia', mileageKm: 30000 });
      expect(
        map({
          price: 9500,
          details: '{"Marque":"Dacia"}',
          more_details: '{"car_price_min":"9000","car_price_max":"12000"}',
        }).isLowPrice,
      ).toBe(true);
    });

    it("falls back on more_details' LeBonCoin keys when a label is missing", () => {
      const ad = withDetails({}, { brand: 'Volkswagen', model: 'Golf', regdate: '2016', mileage: '142000' });
      expect(ad).toMatchObject({ brand: 'Volkswagen', model: 'Golf', modelYear: 2016, mileageKm: 142000 });
    });

    it('prefers the French label to the more_details key when both are there', () => {
      expect(withDetails({ Kilométrage: '68 000 km' }, { mileage: '99999' }).mileageKm).toBe(68000);
    });

    it("keeps fuel and gearbox words but not LeBonCoin's numeric codes", () => {
      expect(withDetails({}, { fuel: '2', gearbox: '1' })).toMatchObject({ fuel: null, gearbox: null });
      expect(withDetails({}, { fuel: 'Diesel', gearbox: 'Manuelle' })).toMatchObject({
        fuel: 'Diesel',
        gearbox: 'Manuelle',
      });
    });

    it('drops a model year outside 1900-2100 and a mileage that is not a number', () => {
      expect(withDetails({ 'Année modèle': '1850', Kilométrage: 'inconnu' })).toMatchObject({
        modelYear: null,
        mileageKm: null,
      });
    });

    it('maps a result without details at all, leaving the car fields empty', () => {
      expect(map({ details: null, more_details: undefined })).toMatchObject({
        brand: null,
        model: null,
        modelYear: null,
        mileageKm: null,
        subType: null,
      });
    });
  });

  describe('prices', () => {
    it('reads prices written for people', () => {
      expect(map({ price: '12 500 €' }).price).toBe(12500);
      expect(map({ price: '12\u00a0500\u00a0€' }).price).toBe(12500);
      expect(map({ price: '12.500' }).price).toBe(12500);
      expect(map({ price: '8990' }).price).toBe(8990);
      expect(map({ price: 8990.6 }).price).toBe(8991);
    });

    it('leaves the price empty when it is missing, negative or not a price', () => {
      expect(map({ price: null }).price).toBeNull();
      expect(map({ price: -1 }).price).toBeNull();
      expect(map({ price: 'Nous consulter' }).price).toBeNull();
    });
  });

  describe('derived flags', () => {
    it('sets priceHasDropped when the price is below old_price, read from more_details or the top level', () => {
      expect(map({ price: 14500, more_details: { old_price: '15200' } }).priceHasDropped).toBe(true);
      expect(map({ price: 14500, more_details: {}, old_price: '15 200 €' }).priceHasDropped).toBe(true);
    });

    it('does not set priceHasDropped when the price is unchanged, higher, or either is unknown', () => {
      expect(map({ price: 15200, more_details: { old_price: '15200' } }).priceHasDropped).toBe(false);
      expect(map({ price: 16000, more_details: { old_price: '15200' } }).priceHasDropped).toBe(false);
      expect(map({ more_details: {} }).priceHasDropped).toBe(false);
      expect(map({ price: null }).priceHasDropped).toBe(false);
    });

    it('sets hasBeenReposted when the first and last publication dates differ', () => {
      expect(
        map({ first_publication_date: '2026-11-20 09:00:00', last_publication_date: '2026-11-27 10:30:00' })
          .hasBeenReposted,
      ).toBe(true);
      expect(
        map({ first_publication_date: '2026-11-20 09:00:00', last_publication_date: '2026-11-20 09:00:00' })
          .hasBeenReposted,
      ).toBe(false);
    });

    it('compares publication instants, not their spelling, and claims no repost without a last date', () => {
      expect(
        map({ first_publication_date: '2026-11-20 09:00:00', last_publication_date: '2026-11-20T08:00:00Z' })
          .hasBeenReposted,
      ).toBe(false);
      expect(map({ last_publication_date: null }).hasBeenReposted).toBe(false);
    });

    it("sets isLowPrice below the lower third of LeBonCoin's price band, and not at it", () => {
      // Band 13,000-19,000: the lower third ends at 15,000.
      expect(map({ price: 14_999 }).isLowPrice).toBe(true);
      expect(map({ price: 15_000 }).isLowPrice).toBe(false);
      expect(map({ price: 18_000 }).isLowPrice).toBe(false);
    });

    it('reads the price band at the top level too', () => {
      // Band 9,000-12,000: the lower third ends at 10,000.
      expect(map({ price: 9_999, more_details: {}, car_price_min: 9_000, car_price_max: '12 000' }).isLowPrice).toBe(
        true,
      );
      expect(map({ price: 10_000, more_details: {}, car_price_min: 9_000, car_price_max: '12 000' }).isLowPrice).toBe(
        false,
      );
    });

    it('does not set isLowPrice when the band or the price is unknown, or the band is upside down', () => {
      expect(map({ more_details: { car_price_max: '19000' } }).isLowPrice).toBe(false);
      expect(map({ more_details: { car_price_min: '13000' } }).isLowPrice).toBe(false);
      expect(map({ price: null }).isLowPrice).toBe(false);
      expect(map({ price: 100, more_details: { car_price_min: '19000', car_price_max: '13000' } }).isLowPrice).toBe(
        false,
      );
    });
  });

  describe('sellers', () => {
    it("maps LeBonCoin's owner types, in English or French, whatever the case", () => {
      expect(map({ owner_type: 'private' }).ownerType).toBe('private');
      expect(map({ owner_type: 'pro' }).ownerType).toBe('pro');
      expect(map({ owner_type: 'Particulier' }).ownerType).toBe('private');
      expect(map({ owner_type: 'PROFESSIONNEL' }).ownerType).toBe('pro');
    });

    it('leaves an unknown or missing owner type empty', () => {
      expect(map({ owner_type: 'association' }).ownerType).toBeNull();
      expect(map({ owner_type: null }).ownerType).toBeNull();
    });

    it('accepts salesmen unless no_salesmen says otherwise, in any boolean spelling', () => {
      expect(map({ no_salesmen: true }).acceptSalesmen).toBe(false);
      expect(map({ no_salesmen: 'True' }).acceptSalesmen).toBe(false);
      expect(map({ no_salesmen: false }).acceptSalesmen).toBe(true);
      expect(map({ no_salesmen: 'false' }).acceptSalesmen).toBe(true);
      expect(map({ no_salesmen: 0 }).acceptSalesmen).toBe(true);
      expect(map({ no_salesmen: undefined }).acceptSalesmen).toBe(true);
    });

    it('copies urgent and is_boosted into isUrgent and hasBeenBoosted', () => {
      expect(map({ urgent: true, is_boosted: false })).toMatchObject({ isUrgent: true, hasBeenBoosted: false });
      expect(map({ urgent: 'false', is_boosted: 1 })).toMatchObject({ isUrgent: false, hasBeenBoosted: true });
    });

    it('keeps the owner name', () => {
      expect(map({ owner_name: '  Garage du Centre ' }).ownerName).toBe('Garage du Centre');
    });
  });

  describe('phone numbers', () => {
    it('normalises French numbers, however written, to E.164', () => {
      for (const written of [
        '06 12 34 56 78',
        '06.12.34.56.78',
        '06-12-34-56-78',
        '0612345678',
        '+33 6 12 34 56 78',
        '+33 (0)6 12 34 56 78',
        '+330612345678',
        '0033 6 12 34 56 78',
        '33612345678',
        '612345678',
      ]) {
        expect(phoneNumber(written), written).toBe('+33612345678');
      }
      expect(phoneNumber('01 42 68 53 00')).toBe('+33142685300');
    });

    it('gives overseas departments their own country codes', () => {
      expect(phoneNumber('0692 12 34 56')).toBe('+262692123456');
      expect(phoneNumber('0690 12 34 56')).toBe('+590690123456');
      expect(phoneNumber('0696 12 34 56')).toBe('+596696123456');
      expect(phoneNumber('0694 12 34 56')).toBe('+594694123456');
    });

    it('keeps numbers already in international form', () => {
      expect(phoneNumber('+32 470 12 34 56')).toBe('+32470123456');
    });

    it('drops what cannot be a phone number', () => {
      for (const junk of [
        'appelez-moi',
        '06 XX XX XX XX',
        '06 12 34 56',
        '06 12 34 56 78 90',
        '+33 0 12',
        '',
        '   ',
        null,
        undefined,
        true,
        {},
      ]) {
        expect(phoneNumber(junk), JSON.stringify(junk)).toBeNull();
      }
    });

    it('puts the normalised phone on the ad, or none', () => {
      expect(map({ phone: '07 81 22 33 44' }).phone).toBe('+33781223344');
      expect(map({ phone: '' }).phone).toBeNull();
      expect(map({ phone: null }).phone).toBeNull();
    });

    it("keeps Lobstr's is_mobile next to libphonenumber's answer, which decides", () => {
      const check = (overrides: Record<string, unknown>) => {
        const mapped = mapLobstrResult(lobstrResult(overrides));
        return mapped.ok ? mapped.phoneCheck : 'unmapped';
      };
      expect(check({ phone: '06 12 34 56 78', is_mobile: true })).toEqual({
        lobstrSaysMobile: true,
        libphonenumberSaysMobile: true,
      });
      expect(check({ phone: '06 12 34 56 78', is_mobile: 'False' })).toEqual({
        lobstrSaysMobile: false,
        libphonenumberSaysMobile: true,
      });
      expect(check({ phone: '01 42 68 53 00', is_mobile: 1 })).toEqual({
        lobstrSaysMobile: true,
        libphonenumberSaysMobile: false,
      });
      // Nothing to compare: no is_mobile (the plain listings scraper), or no phone.
      expect(check({ phone: '06 12 34 56 78' })).toBeNull();
      expect(check({ phone: '06 12 34 56 78', is_mobile: 'maybe' })).toBeNull();
      expect(check({ phone: null, is_mobile: true })).toBeNull();
      // The ad carries the phone either way: the matcher asks libphonenumber whether an SMS can reach it.
      expect(map({ phone: '06 12 34 56 78', is_mobile: false }).phone).toBe('+33612345678');
    });

    it('says which fields a result carries and whether it carries a phone at all', () => {
      expect(describeResult({ annonce_id: '1', phone: '06 12 34 56 78', is_mobile: true })).toEqual({
        fields: ['annonce_id', 'phone', 'is_mobile'],
        hasPhone: true,
      });
      expect(describeResult({ annonce_id: '1', phone: '' })).toEqual({
        fields: ['annonce_id', 'phone'],
        hasPhone: false,
      });
      expect(describeResult({ annonce_id: '1' })).toEqual({ fields: ['annonce_id'], hasPhone: false });
      expect(describeResult(null)).toEqual({ fields: [], hasPhone: false });
    });
  });

  describe('categories', () => {
    it.each([
      ['Voitures', 'voitures'],
      ['Motos', 'motos'],
      ['Utilitaires', 'utilitaires'],
      ['Caravaning', 'caravaning'],
      ['Camping-cars', 'camping-cars'],
      ['Équipement auto', 'equipement-auto'],
      ['voitures', 'voitures'],
      ['equipement_auto', 'equipement-auto'],
    ])('maps the category %j to the ad type %j', (category, adType) => {
      expect(map({ category_name: category }).adType).toBe(adType);
    });

    it('refuses a category we do not handle, naming category_name', () => {
      expect(mapLobstrResult(lobstrResult({ category_name: 'Ventes immobilières' }))).toEqual({
        ok: false,
        id: '2712345678',
        reason: expect.stringMatching(/^category_name "Ventes immobilières" is not an ad type we handle/) as unknown,
      });
    });

    it('refuses a result without a category', () => {
      expect(mapLobstrResult(lobstrResult({ category_name: '' }))).toEqual({
        ok: false,
        id: '2712345678',
        reason: 'category_name is missing',
      });
    });
  });

  describe('places', () => {
    it('takes the department from the first two digits of the postal code', () => {
      expect(map({ postal_code: '69003' })).toMatchObject({ zipcode: '69003', department: '69' });
      expect(map({ postal_code: '06000' })).toMatchObject({ zipcode: '06000', department: '06' });
    });

    it('splits Corsica into 2A (200xx-201xx) and 2B (202xx-206xx)', () => {
      expect(departmentOf('20000')).toBe('2A');
      expect(departmentOf('20167')).toBe('2A');
      expect(departmentOf('20200')).toBe('2B');
      expect(departmentOf('20620')).toBe('2B');
      expect(map({ postal_code: '20090' }).department).toBe('2A');
    });

    it('gives overseas departments their three digits', () => {
      expect(map({ postal_code: '97400' }).department).toBe('974');
      expect(map({ postal_code: '97122' }).department).toBe('971');
    });

    it('restores the leading zero of a postal code given as a number', () => {
      expect(map({ postal_code: 6000 })).toMatchObject({ zipcode: '06000', department: '06' });
    });

    it('leaves zipcode and department empty for a postal code that is not one', () => {
      expect(map({ postal_code: 'Lyon' })).toMatchObject({ zipcode: null, department: null });
      expect(map({ postal_code: null })).toMatchObject({ zipcode: null, department: null });
    });

    it('reads coordinates given as strings', () => {
      expect(map({ lat: '44.8378', lng: '-0.5792' })).toMatchObject({ lat: 44.8378, lng: -0.5792 });
      expect(map({ lat: -20.8821, lng: 55.4507 })).toMatchObject({ lat: -20.8821, lng: 55.4507 });
    });

    it('drops both coordinates when either is missing, unreadable or out of range', () => {
      expect(map({ lat: '' })).toMatchObject({ lat: null, lng: null });
      expect(map({ lng: 'n/a' })).toMatchObject({ lat: null, lng: null });
      expect(map({ lat: '145.2' })).toMatchObject({ lat: null, lng: null });
    });
  });

  describe('dates', () => {
    it('reads wall-clock publication dates as Paris time, summer and winter', () => {
      const ad = map({ first_publication_date: '2026-07-14 10:00:00', last_publication_date: '2026-11-28 10:00:00' });
      expect(ad.firstPublishedAt).toBe('2026-07-14T08:00:00.000Z');
      expect(ad.lastPublishedAt).toBe('2026-11-28T09:00:00.000Z');
    });

    it('takes ISO dates with an offset or Z as they are', () => {
      const ad = map({
        first_publication_date: '2026-03-21T21:10:58+00:00',
        last_publication_date: '2026-03-22T08:00:00Z',
      });
      expect(ad.firstPublishedAt).toBe('2026-03-21T21:10:58.000Z');
      expect(ad.lastPublishedAt).toBe('2026-03-22T08:00:00.000Z');
    });

    it('reads slashed dates and ISO dates without offset as Paris time', () => {
      expect(map({ first_publication_date: '2026/05/01 10:21:33' }).firstPublishedAt).toBe('2026-05-01T08:21:33.000Z');
      expect(map({ first_publication_date: '2026-05-01T10:21:33' }).firstPublishedAt).toBe('2026-05-01T08:21:33.000Z');
    });

    it('leaves an unreadable or impossible date empty rather than inventing one', () => {
      expect(map({ first_publication_date: 'hier' }).firstPublishedAt).toBeNull();
      expect(map({ first_publication_date: '2026-02-31 10:00:00' }).firstPublishedAt).toBeNull();
      expect(map({ first_publication_date: '2026-05-01 25:00:00' }).firstPublishedAt).toBeNull();
    });

    it("reads Lobstr's scraping_time as UTC, and leaves it to ingestion when absent", () => {
      expect(map({ scraping_time: '2026-11-28T06:02:11.402381' }).scrapedAt).toBe('2026-11-28T06:02:11.000Z');
      expect(map({ scraping_time: undefined }).scrapedAt).toBeNull();
    });
  });

  describe('texts and pictures', () => {
    it('splits the comma-separated pictures and keeps only web addresses', () => {
      expect(
        map({ pictures: ' https://img.leboncoin.fr/a.jpg , ,not-a-url,https://img.leboncoin.fr/b.jpg' }).pictures,
      ).toEqual(['https://img.leboncoin.fr/a.jpg', 'https://img.leboncoin.fr/b.jpg']);
      expect(map({ pictures: ['https://img.leboncoin.fr/a.jpg'] }).pictures).toEqual([
        'https://img.leboncoin.fr/a.jpg',
      ]);
      expect(map({ pictures: '' }).pictures).toEqual([]);
    });

    it('keeps at most 100 pictures', () => {
      const many = Array.from({ length: 150 }, (_, i) => `https://img.leboncoin.fr/${i}.jpg`).join(',');
      expect(map({ pictures: many }).pictures).toHaveLength(100);
    });

    it('cuts texts to the lengths the ingestion schema allows', () => {
      const ad = map({ title: 'T'.repeat(600), description: 'D'.repeat(25_000), owner_name: 'N'.repeat(300) });
      expect([ad.title.length, ad.description?.length, ad.ownerName?.length]).toEqual([500, 20_000, 200]);
    });

    it('drops a url that is not a web address', () => {
      expect(map({ url: 'javascript:alert(1)' }).url).toBeNull();
    });
  });

  describe('results that cannot be mapped', () => {
    it.each([
      ['null', null],
      ['a string', 'Peugeot 308'],
      ['a number', 42],
      ['a list', [lobstrResult()]],
    ])('refuses %s, which is not a result', (_name, value) => {
      expect(mapLobstrResult(value)).toEqual({ ok: false, id: null, reason: 'result is not an object' });
    });

    it('refuses a result without annonce_id, naming the field', () => {
      expect(mapLobstrResult(lobstrResult({ annonce_id: null }))).toEqual({
        ok: false,
        id: null,
        reason: 'annonce_id is missing',
      });
      expect(mapLobstrResult(lobstrResult({ annonce_id: '  ' }))).toEqual({
        ok: false,
        id: null,
        reason: 'annonce_id is missing',
      });
    });

    it('refuses an annonce_id that is not a listing id', () => {
      expect(mapLobstrResult(lobstrResult({ annonce_id: 'DROP TABLE ads;' }))).toMatchObject({
        ok: false,
        id: null,
        reason: expect.stringContaining('annonce_id') as unknown,
      });
      expect(mapLobstrResult(lobstrResult({ annonce_id: { value: 1 } }))).toMatchObject({
        ok: false,
        reason: 'annonce_id is missing',
      });
    });

    it('refuses a result without a title, and says which listing it was', () => {
      expect(mapLobstrResult(lobstrResult({ title: ' ' }))).toEqual({
        ok: false,
        id: '2712345678',
        reason: 'title is missing',
      });
      expect(mapLobstrResult(lobstrResult({ title: undefined }))).toEqual({
        ok: false,
        id: '2712345678',
        reason: 'title is missing',
      });
    });

    it('never throws, even on a result whose fields throw when read', () => {
      const hostile = new Proxy(lobstrResult(), {
        get(target, key) {
          if (key === 'price') throw new Error('boom');
          return (target as Record<string | symbol, unknown>)[key];
        },
      });
      expect(mapLobstrResult(hostile)).toEqual({
        ok: false,
        id: '2712345678',
        reason: 'result could not be read: boom',
      });
    });

    it('never throws on arbitrary input, and what it maps always passes the ingestion schema', () => {
      const arbitraryResult = fc.record(
        {
          annonce_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          title: fc.oneof(fc.string(), fc.constant(null)),
          category_name: fc.constantFrom('Voitures', 'Motos', 'Immobilier', '', null),
          price: fc.anything(),
          postal_code: fc.anything(),
          lat: fc.anything(),
          lng: fc.anything(),
          phone: fc.oneof(fc.string(), fc.anything()),
          details: fc.anything(),
          more_details: fc.anything(),
          pictures: fc.anything(),
          first_publication_date: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.anything(),
          ),
          last_publication_date: fc.anything(),
          owner_type: fc.anything(),
          no_salesmen: fc.anything(),
          url: fc.oneof(fc.webUrl(), fc.anything()),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.oneof(arbitraryResult, fc.anything()), (result) => {
          const mapped = mapLobstrResult(result);
          // The mapping makes every field fit the schema; only the checks across fields and of the
          // dates' years are left to validateAds, which the importer applies (an ad refused is skipped).
          const refused = mapped.ok ? refusal(mapped.ad) : null;
          if (refused !== null && !/^(firstPublishedAt|lastPublishedAt|scrapedAt) /.test(refused))
            throw new Error(refused);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('reading a page of Lobstr results', () => {
  it('reads the documented envelope: data, total_results, total_pages', () => {
    const body = {
      total_results: 243,
      limit: 100,
      page: 1,
      total_pages: 3,
      result_from: 1,
      result_to: 100,
      next: 'https://api.lobstr.io/v1/results?page=2',
      previous: null,
      data: [1, 2],
    };
    expect(parseResultsPage(body)).toEqual({ results: [1, 2], totalPages: 3, totalResults: 243 });
  });

  it('accepts `results` for the list and `count` or `total` for the total, and computes the pages', () => {
    expect(parseResultsPage({ count: 250, page_size: 100, results: [1] })).toEqual({
      results: [1],
      totalPages: 3,
      totalResults: 250,
    });
    expect(parseResultsPage({ total: 200, limit: 100, data: [] })).toEqual({
      results: [],
      totalPages: 2,
      totalResults: 200,
    });
  });

  it('reads counts written as strings', () => {
    expect(parseResultsPage({ total_results: '250', total_pages: '3', data: [] })).toEqual({
      results: [],
      totalPages: 3,
      totalResults: 250,
    });
  });

  it('takes a page with no next page as the last when no count is given', () => {
    expect(parseResultsPage({ page: 4, next: null, data: [1] })).toEqual({
      results: [1],
      totalPages: 4,
      totalResults: null,
    });
    expect(parseResultsPage({ page: 4, next: 'https://api.lobstr.io/v1/results?page=5', data: [1] })).toEqual({
      results: [1],
      totalPages: null,
      totalResults: null,
    });
  });

  it('reads a bare list as one page of results', () => {
    expect(parseResultsPage([1, 2, 3])).toEqual({ results: [1, 2, 3], totalPages: null, totalResults: null });
  });

  it('reads nothing from a body that is not an envelope', () => {
    for (const body of [null, 'oops', 42, {}, { data: 'nope' }]) {
      expect(parseResultsPage(body)).toEqual({ results: [], totalPages: null, totalResults: null });
    }
  });
});
