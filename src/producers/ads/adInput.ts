// One ad as POST /v1/ads takes it (the normalised shape of docs/ARCHITECTURE.md section 1), its JSON
// schema (fastify validates every request with it, and the OpenAPI document shows it), and
// validateAds: the one check of an ad, for the API and the Lobstr importer alike, which turns what
// passes into the domain's ad (defaults filled in, the phone in E.164).
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { FIRST_YEAR, LAST_YEAR } from '../../domain/calendar.js';
import { departmentOf } from '../../domain/department.js';
import { ValidationError } from '../../domain/errors.js';
import { toE164 } from '../../domain/phone.js';
import { filledIn } from '../../domain/filledIn.js';
import { AD_TYPES, NO_FLAGS, OWNER_TYPES, type NewAd } from '../../domain/types.js';

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
  /** Any way a phone is written ("06 12 34 56 78", "+33612345678"): stored in E.164 (validateAds). */
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

// The schema as fastify applies it to a request (src/http/app.ts): no coercion, no defaults; the
// defaults are validateAds' own.
const ajv = new Ajv({
  allErrors: false,
  strict: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
});
(addFormats as unknown as (a: Ajv) => void)(ajv);
const matchesSchema = ajv.compile<AdInput>(adInputSchema);

/** An ad that passed, as the domain holds it (no id yet), or the field at fault (relative to the ad: `price`, `phone`). */
export type AdCheck = { ok: true; ad: NewAd } | { ok: false; field: string; problem: string };

const fieldOf = (e: ErrorObject) => {
  const path = e.instancePath.replace(/^\//, '');
  const extra =
    (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ??
    (e.params as { additionalProperty?: string }).additionalProperty;
  return [path, extra].filter(Boolean).join('/') || '(the ad)';
};

/**
 * Every ad against the schema, then against what a schema cannot express: lat and lng together,
 * dates between FIRST_YEAR and LAST_YEAR, the last publication not before the first, a phone
 * libphonenumber-js can read (France by default, overseas departments with their own country codes;
 * a phone it cannot read is refused, not an ad silently without phone). What passes is normalised:
 * defaults, the phone in E.164, the department of the zipcode, times in epoch ms (scrapedAt: `now`).
 * `schemaApplied`: the caller's validator applied adInputSchema already (fastify, to a request body),
 * so the schema is not applied twice on a request of up to 1,000 ads.
 */
export function validateAds(inputs: readonly unknown[], options: { now: Date; schemaApplied?: boolean }): AdCheck[] {
  return inputs.map((input) => validateAd(input, options.now, options.schemaApplied === true));
}

/** validateAds for a request: the ads, or a ValidationError naming the first field at fault (`body/ads/3/price`). */
export function validAdsOrThrow(
  inputs: readonly unknown[],
  options: { now: Date; path?: string; schemaApplied?: boolean },
): NewAd[] {
  return validateAds(inputs, options).map((check, index) => {
    if (!check.ok) throw new ValidationError(`${options.path ?? 'body/ads'}/${index}/${check.field}`, check.problem);
    return check.ad;
  });
}

function validateAd(input: unknown, now: Date, schemaApplied: boolean): AdCheck {
  if (!schemaApplied && !matchesSchema(input)) {
    const e = matchesSchema.errors![0]!;
    return { ok: false, field: fieldOf(e), problem: e.message ?? 'is invalid' };
  }
  const ad = input as AdInput;
  const fail = (field: string, problem: string): AdCheck => ({ ok: false, field, problem });
  if ((ad.lat === null || ad.lat === undefined) !== (ad.lng === null || ad.lng === undefined)) {
    return fail(ad.lat === null || ad.lat === undefined ? 'lat' : 'lng', 'must be given together with lat/lng');
  }
  const times: Partial<Record<'firstPublishedAt' | 'lastPublishedAt' | 'scrapedAt', number>> = {};
  for (const name of ['firstPublishedAt', 'lastPublishedAt', 'scrapedAt'] as const) {
    const value = ad[name];
    if (!value) continue;
    const at = new Date(value);
    if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < FIRST_YEAR || at.getUTCFullYear() > LAST_YEAR) {
      return fail(name, `must be a date-time between ${FIRST_YEAR} and ${LAST_YEAR}`);
    }
    times[name] = at.getTime();
  }
  if (
    times.firstPublishedAt !== undefined &&
    times.lastPublishedAt !== undefined &&
    times.firstPublishedAt > times.lastPublishedAt
  ) {
    return fail('lastPublishedAt', 'must not be before firstPublishedAt');
  }
  let phone: string | null = null;
  if (ad.phone !== null && ad.phone !== undefined) {
    phone = toE164(ad.phone);
    if (phone === null) return fail('phone', 'is not a valid phone number (e.g. "06 12 34 56 78" or "+33612345678")');
  }
  const fields = filledIn(AD_DEFAULTS, ad);
  return {
    ok: true,
    ad: {
      ...fields,
      externalId: ad.externalId,
      title: ad.title,
      adType: ad.adType,
      department: ad.department ?? departmentOf(fields.zipcode),
      phone,
      pictures: ad.pictures ?? [],
      firstPublishedAt: times.firstPublishedAt ?? null,
      lastPublishedAt: times.lastPublishedAt ?? null,
      scrapedAt: times.scrapedAt ?? now.getTime(),
    },
  };
}

/** What an ad gets for a field it does not give (or gives as null). */
const AD_DEFAULTS: Omit<
  NewAd,
  | 'externalId'
  | 'title'
  | 'adType'
  | 'department'
  | 'phone'
  | 'pictures'
  | 'firstPublishedAt'
  | 'lastPublishedAt'
  | 'scrapedAt'
> = {
  ...NO_FLAGS,
  source: 'leboncoin',
  description: '',
  acceptSalesmen: true,
  url: null,
  price: null,
  subType: null,
  brand: null,
  model: null,
  modelYear: null,
  mileageKm: null,
  fuel: null,
  gearbox: null,
  zipcode: null,
  city: null,
  lat: null,
  lng: null,
  ownerName: null,
  ownerType: null,
};
