// Realistic inputs for the HTTP API.
import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/knex.js';
import { validAdsOrThrow, type AdInput } from '../src/producers/ads/adInput.js';
import { ingestAds, type IngestResult } from '../src/producers/ads/ingestAds.js';
import type { CreateHuntBody } from '../src/producers/hunts/huntInput.js';

export const PLACES = {
  lyon: { label: 'Lyon', zipcode: '69003', lat: 45.7597, lng: 4.8422 },
  villeurbanne: { label: 'Villeurbanne', zipcode: '69100', lat: 45.7719, lng: 4.8902 },
  paris: { label: 'Paris', zipcode: '75011', lat: 48.8566, lng: 2.3522 },
  marseille: { label: 'Marseille', zipcode: '13001', lat: 43.2965, lng: 5.3698 },
};

let counter = 0;
export function adInput(overrides: Partial<AdInput> = {}): AdInput {
  counter++;
  return {
    externalId: `27${String(Date.now()).slice(-6)}${String(counter).padStart(4, '0')}`,
    url: `https://www.leboncoin.fr/ad/voitures/${counter}`,
    title: 'Peugeot 308 GT Line',
    description: 'Très bon état, première main.',
    price: 14_500,
    adType: 'voitures',
    subType: 'berline',
    brand: 'Peugeot',
    model: '308',
    modelYear: 2019,
    mileageKm: 68_000,
    fuel: 'Diesel',
    gearbox: 'Manuelle',
    zipcode: PLACES.villeurbanne.zipcode,
    city: PLACES.villeurbanne.label,
    lat: PLACES.villeurbanne.lat,
    lng: PLACES.villeurbanne.lng,
    ownerName: 'Julie',
    ownerType: 'private',
    // A French mobile of its own per ad: one seller per ad, unless a test gives two ads one phone.
    phone: `+3361${String(counter).padStart(7, '0')}`,
    acceptSalesmen: true,
    pictures: ['https://img.leboncoin.fr/1.jpg'],
    firstPublishedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    lastPublishedAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    ...overrides,
  };
}

export function huntInput(overrides: Partial<CreateHuntBody> = {}): CreateHuntBody {
  return {
    accountId: randomUUID(),
    name: 'Peugeot autour de Lyon',
    adType: 'voitures',
    brands: ['Peugeot'],
    location: PLACES.lyon,
    radiusKm: 30,
    priceMax: 20_000,
    outreach: {
      channel: 'sms',
      template: 'Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} à {{prix}} à {{ville}} nous intéresse.',
    },
    ...overrides,
  };
}

let brandCounter = 0;
/** A make no other test uses, so that a test's hunts and ads never meet another test's. */
export const newBrand = (prefix = 'Marque') => `${prefix}-${++brandCounter}-${randomUUID().slice(0, 6)}`;

/** Ads written into the database as POST /v1/ads would, but without their AdScraped: as if the matcher never saw them. */
export function ingestSilently(db: Db, ads: AdInput[], now = new Date()): Promise<IngestResult> {
  return db.transaction((trx) => ingestAds(trx, { enqueue: async () => [] }, validAdsOrThrow(ads, { now }), { now }));
}
