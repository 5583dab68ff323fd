// One ad as POST /v1/ads takes it (the normalised shape of docs/ARCHITECTURE.md section 1), and its JSON schema,
// which fastify's validator applies to every request (the Lobstr importer's mapped ads go through it too).
import { FIRST_YEAR, LAST_YEAR } from '../../domain/calendar.js';
import { ValidationError } from '../../domain/errors.js';
import { toE164 } from '../../domain/phone.js';
import { AD_TYPES, OWNER_TYPES } from '../../domain/types.js';

export interface AdInput {
  /** Defaults to 'leboncoin'. */
  source?: string;
  externalId: string;
  url?: string | null;
  title: string;
  description?: string | null;
  /** Whole euros. */
  price?: number | null;
  adType: string;
  subType?: string | null;
  brand?: string | null;
  model?: string | null;
  modelYear?: number | null;
  mileageKm?: number | null;
  fuel?: string | null;
  gearbox?: string | null;
  zipcode?: string | null;
  city?: string | null;
  department?: string | null;
  lat?: number | null;
  lng?: number | null;
  ownerName?: string | null;
  ownerType?: 'private' | 'pro' | null;
  /** Any way a phone is written ("06 12 34 56 78", "+33612345678"): stored in E.164 (checkAdInputs). */
  phone?: string | null;
  /** Defaults to true; false when the seller refuses solicitation. */
  acceptSalesmen?: boolean;
  isUrgent?: boolean;
  hasBeenReposted?: boolean;
  priceHasDropped?: boolean;
  hasBeenBoosted?: boolean;
  isLowPrice?: boolean;
  pictures?: string[];
  /** ISO 8601 date-times. */
  firstPublishedAt?: string | null;
  lastPublishedAt?: string | null;
  /** Defaults to the time of ingestion. */
  scrapedAt?: string | null;
}

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const text = (maxLength: number) => nullable({ type: 'string', maxLength });
const dateTime = nullable({ type: 'string', format: 'date-time' });

export const adInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['externalId', 'title', 'adType'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 50 },
    externalId: { type: 'string', minLength: 1, maxLength: 100 },
    url: nullable({ type: 'string', maxLength: 2000, pattern: '^https?://' }),
    title: { type: 'string', maxLength: 500 },
    description: text(20_000),
    price: nullable({ type: 'integer', minimum: 0, maximum: 100_000_000 }),
    adType: { type: 'string', enum: [...AD_TYPES] },
    subType: text(100),
    brand: text(100),
    model: text(100),
    modelYear: nullable({ type: 'integer', minimum: 1900, maximum: 2100 }),
    mileageKm: nullable({ type: 'integer', minimum: 0, maximum: 10_000_000 }),
    fuel: text(50),
    gearbox: text(50),
    zipcode: nullable({ type: 'string', pattern: '^[0-9][0-9AB][0-9]{3}$' }),
    city: text(200),
    department: nullable({ type: 'string', pattern: '^(?:[0-9]{2,3}|2A|2B)$' }),
    lat: nullable({ type: 'number', minimum: -90, maximum: 90 }),
    lng: nullable({ type: 'number', minimum: -180, maximum: 180 }),
    ownerName: text(200),
    ownerType: nullable({ type: 'string', enum: [...OWNER_TYPES] }),
    phone: nullable({ type: 'string', minLength: 1, maxLength: 40 }),
    acceptSalesmen: { type: 'boolean' },
    isUrgent: { type: 'boolean' },
    hasBeenReposted: { type: 'boolean' },
    priceHasDropped: { type: 'boolean' },
    hasBeenBoosted: { type: 'boolean' },
    isLowPrice: { type: 'boolean' },
    pictures: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2000 } },
    firstPublishedAt: dateTime,
    lastPublishedAt: dateTime,
    scrapedAt: dateTime,
  },
} as const;

export const MAX_ADS_PER_REQUEST = 1000;

/**
 * Checks JSON schema cannot express, on the ads of one request; names the ad by its index. Returns the
 * ads with their phones in E.164 (libphonenumber-js, France by default, overseas departments with
 * their own country codes); a phone it cannot read is a 400, not an ad silently without phone.
 */
export function checkAdInputs(ads: AdInput[]): AdInput[] {
  return ads.map((ad, index) => {
    const field = (name: string) => `body/ads/${index}/${name}`;
    if ((ad.lat === null || ad.lat === undefined) !== (ad.lng === null || ad.lng === undefined)) {
      throw new ValidationError(field(ad.lat === null || ad.lat === undefined ? 'lat' : 'lng'), 'must be given together with lat/lng');
    }
    for (const name of ['firstPublishedAt', 'lastPublishedAt', 'scrapedAt'] as const) {
      const value = ad[name];
      if (!value) continue;
      const at = new Date(value);
      if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < FIRST_YEAR || at.getUTCFullYear() > LAST_YEAR) {
        throw new ValidationError(field(name), `must be a date-time between ${FIRST_YEAR} and ${LAST_YEAR}`);
      }
    }
    if (ad.firstPublishedAt && ad.lastPublishedAt && Date.parse(ad.firstPublishedAt) > Date.parse(ad.lastPublishedAt)) {
      throw new ValidationError(field('lastPublishedAt'), 'must not be before firstPublishedAt');
    }
    if (ad.phone === null || ad.phone === undefined) return ad;
    const phone = toE164(ad.phone);
    if (phone === null) throw new ValidationError(field('phone'), 'is not a valid phone number (e.g. "06 12 34 56 78" or "+33612345678")');
    return phone === ad.phone ? ad : { ...ad, phone };
  });
}
