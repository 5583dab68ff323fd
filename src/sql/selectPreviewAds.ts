// The ads a hunt preview looks at: those first published since a date, narrowed by the same coarse,
// necessary conditions the backfill uses (type, the radius's bounding box or the zipcode, the price
// range), plus the year and mileage ranges and the brands as written that the hunt accepts. Never the matching rules themselves: the caller applies
// matchesCompiled to what this returns. Only the columns matching and the preview's sample read come
// back, and the description only when the hunt has keywords: a month of ads can be 200,000 rows.
import type { Db } from '../db/knex.js';
import type { LatLngBox } from '../domain/geo.js';
import type { Ad, HuntCriteria } from '../domain/types.js';
import { adFromRow, type AdRow } from './rows/adRow.js';

/** The hunt's ranges narrow the rows as they are: the same bounds the matching rules check. */
export interface PreviewAdFilter extends Pick<HuntCriteria, 'adType' | 'priceMin' | 'priceMax' | 'modelYearMin' | 'modelYearMax' | 'mileageMin' | 'mileageMax'> {
  publishedSince: Date;
  /** Brands as written in the ads (those the hunt's brands accept); undefined: any brand. */
  brands?: string[];
  box?: LatLngBox;
  zipcode?: string;
  /** The hunt has keywords or excluded keywords: read the description too. */
  withDescription: boolean;
}

/** The columns a preview reads: what matching and the sample need. */
const READ = [
  'id',
  'external_id',
  'source',
  'url',
  'title',
  'price',
  'sub_type',
  'brand',
  'model_year',
  'mileage_km',
  'zipcode',
  'city',
  'lat',
  'lng',
  'owner_type',
  'is_urgent',
  'has_been_reposted',
  'price_has_dropped',
  'has_been_boosted',
  'is_low_price',
  'first_published_at',
] as const satisfies ReadonlyArray<keyof AdRow>;

/** The columns it does not read, as empty values (adFromRow maps the whole row). */
const UNREAD: Omit<AdRow, (typeof READ)[number] | 'description' | 'ad_type'> = {
  model: null,
  fuel: null,
  gearbox: null,
  department: null,
  owner_name: null,
  phone: null,
  accept_salesmen: true,
  pictures: [],
  last_published_at: null,
  scraped_at: new Date(0),
};

/** Newest first. The Ads carry only what matching and the sample read; the other fields are empty. */
export async function selectPreviewAds(db: Db, f: PreviewAdFilter): Promise<Ad[]> {
  const q = db('ads')
    .select(...READ, f.withDescription ? 'description' : db.raw(`'' AS description`))
    .where('ad_type', f.adType)
    .where('first_published_at', '>=', f.publishedSince);
  if (f.brands !== undefined) q.whereIn('brand', f.brands);
  if (f.zipcode !== undefined) q.where('zipcode', f.zipcode);
  if (f.box) {
    q.whereBetween('lat', [f.box.minLat, f.box.maxLat]);
    // A box that runs past the antimeridian (or spans every longitude) does not narrow longitudes.
    if (f.box.minLng >= -180 && f.box.maxLng <= 180) q.whereBetween('lng', [f.box.minLng, f.box.maxLng]);
  }
  const bound = (column: string, min: number | null, max: number | null) => {
    if (min !== null) q.where(column, '>=', min);
    if (max !== null) q.where(column, '<=', max);
  };
  bound('price', f.priceMin, f.priceMax);
  bound('model_year', f.modelYearMin, f.modelYearMax);
  bound('mileage_km', f.mileageMin, f.mileageMax);
  const rows = (await q.orderBy([
    { column: 'first_published_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ])) as Array<Pick<AdRow, (typeof READ)[number] | 'description'>>;
  return rows.map((r) => adFromRow({ ...UNREAD, ...r, ad_type: f.adType }));
}
