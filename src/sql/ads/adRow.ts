// The ads table's row, the one mapping between it and the domain's Ad: its columns (one list, for
// every statement that writes whole rows), the row an Ad is written as (with its match_hash), and the
// Ad a row is read as.
import { createHash } from 'node:crypto';
import { matchingFieldsOf, type Ad } from '../../domain/types.js';

/** Every column an ingested ad is written with, and its PostgreSQL type (for jsonb_to_recordset). */
export const AD_COLUMNS: { [K in keyof AdRecord]: string } = {
  id: 'uuid',
  source: 'text',
  external_id: 'text',
  url: 'text',
  title: 'text',
  description: 'text',
  price: 'int',
  ad_type: 'text',
  sub_type: 'text',
  brand: 'text',
  model: 'text',
  model_year: 'int',
  mileage_km: 'int',
  fuel: 'text',
  gearbox: 'text',
  zipcode: 'text',
  city: 'text',
  department: 'text',
  lat: 'float8',
  lng: 'float8',
  owner_name: 'text',
  owner_type: 'text',
  phone: 'text',
  accept_salesmen: 'bool',
  is_urgent: 'bool',
  has_been_reposted: 'bool',
  price_has_dropped: 'bool',
  has_been_boosted: 'bool',
  is_low_price: 'bool',
  pictures: 'text[]',
  first_published_at: 'timestamptz',
  last_published_at: 'timestamptz',
  scraped_at: 'timestamptz',
  match_hash: 'text',
};

/** `name type, ...` for jsonb_to_recordset(...) AS x(<this>). */
export const recordsetColumns = (columns: Record<string, string>) =>
  Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');

/** A field's column: modelYear -> model_year (the ads table names its columns after the Ad's fields). */
type ColumnOf<K extends string> = K extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${ColumnOf<Rest>}`
  : K;
type Times = 'firstPublishedAt' | 'lastPublishedAt' | 'scrapedAt';

/** The ads table's row, as read with adColumns: the Ad's fields under their column names, `id` for adId, times as Dates. */
export type AdRow = { id: string } & { [K in Exclude<keyof Ad, 'adId' | Times> as ColumnOf<K>]: Ad[K] } & {
  first_published_at: Date | null;
  last_published_at: Date | null;
  scraped_at: Date;
};

const READ_ALL = Object.keys(AD_COLUMNS).filter((c) => c !== 'match_hash') as Array<keyof AdRow>;

/**
 * The select list every reader of ads uses (of `table`, when the ads are joined), the pictures as json:
 * pg parses json natively, and text[] in JavaScript, which was a sixth of a backfill's CPU.
 */
export function adColumns(columns: ReadonlyArray<keyof AdRow> = READ_ALL, table?: string): string {
  const t = table === undefined ? '' : `${table}.`;
  return columns.map((c) => (c === 'pictures' ? `to_json(${t}pictures) AS pictures` : `${t}${c}`)).join(', ');
}

/** An ad as written (timestamps as ISO strings, so the whole batch travels as one jsonb parameter). */
export type AdRecord = Omit<AdRow, 'first_published_at' | 'last_published_at' | 'scraped_at'> & {
  first_published_at: string | null;
  last_published_at: string | null;
  scraped_at: string;
  match_hash: string;
};

export function adFromRow(r: AdRow): Ad {
  return {
    adId: r.id,
    source: r.source,
    externalId: r.external_id,
    url: r.url,
    title: r.title,
    description: r.description,
    price: r.price,
    adType: r.ad_type,
    subType: r.sub_type,
    brand: r.brand,
    model: r.model,
    modelYear: r.model_year,
    mileageKm: r.mileage_km,
    fuel: r.fuel,
    gearbox: r.gearbox,
    zipcode: r.zipcode,
    city: r.city,
    department: r.department,
    lat: r.lat,
    lng: r.lng,
    ownerName: r.owner_name,
    ownerType: r.owner_type,
    phone: r.phone,
    acceptSalesmen: r.accept_salesmen,
    isUrgent: r.is_urgent,
    hasBeenReposted: r.has_been_reposted,
    priceHasDropped: r.price_has_dropped,
    hasBeenBoosted: r.has_been_boosted,
    isLowPrice: r.is_low_price,
    pictures: r.pictures,
    firstPublishedAt: r.first_published_at?.getTime() ?? null,
    lastPublishedAt: r.last_published_at?.getTime() ?? null,
    scrapedAt: r.scraped_at.getTime(),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What matching depends on, hashed: a re-scrape that changes none of it is no AdScraped (src/sql/ads/upsertAds.ts). */
export const matchHashOf = (a: Omit<Ad, 'adId'>) =>
  createHash('sha1')
    .update(JSON.stringify(matchingFieldsOf(a)))
    .digest('base64url');

/** The inverse of adFromRow: the row an Ad is written as. */
export function rowFromAd(a: Ad): AdRecord {
  return {
    id: a.adId,
    source: a.source,
    external_id: a.externalId,
    url: a.url,
    title: a.title,
    description: a.description,
    price: a.price,
    ad_type: a.adType,
    sub_type: a.subType,
    brand: a.brand,
    model: a.model,
    model_year: a.modelYear,
    mileage_km: a.mileageKm,
    fuel: a.fuel,
    gearbox: a.gearbox,
    zipcode: a.zipcode,
    city: a.city,
    department: a.department,
    lat: a.lat,
    lng: a.lng,
    owner_name: a.ownerName,
    owner_type: a.ownerType,
    phone: a.phone,
    accept_salesmen: a.acceptSalesmen,
    is_urgent: a.isUrgent,
    has_been_reposted: a.hasBeenReposted,
    price_has_dropped: a.priceHasDropped,
    has_been_boosted: a.hasBeenBoosted,
    is_low_price: a.isLowPrice,
    pictures: a.pictures,
    first_published_at: iso(a.firstPublishedAt),
    last_published_at: iso(a.lastPublishedAt),
    scraped_at: iso(a.scrapedAt)!,
    match_hash: matchHashOf(a),
  };
}
