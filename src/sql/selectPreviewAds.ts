// The ads a hunt preview looks at: those first published since a date, narrowed by the conditions the
// backfill uses (src/domain/adNarrowing.ts: type, the radius's bounding box or the zipcode, the price,
// year and mileage ranges) and the brands as written that the hunt accepts. Never the matching rules
// themselves: the caller matches what this returns. Only the columns matching and the preview's sample
// read come back, and the description only when the hunt has keywords: a month of ads can be 200,000 rows.
import type { Db } from '../db/knex.js';
import type { AdNarrowing } from '../domain/adNarrowing.js';
import type { Ad } from '../domain/types.js';
import { narrowAds } from './narrowAds.js';
import { adFromRow, type AdRow } from './rows/adRow.js';

export interface PreviewAdFilter {
  narrowing: AdNarrowing;
  publishedSince: Date;
  /** Brands as written in the ads (those the hunt's brands accept); undefined: any brand. */
  brands?: string[];
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
    .where('first_published_at', '>=', f.publishedSince);
  narrowAds(q, f.narrowing);
  if (f.brands !== undefined) q.whereIn('brand', f.brands);
  const rows = (await q.orderBy([
    { column: 'first_published_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ])) as Array<Pick<AdRow, (typeof READ)[number] | 'description'>>;
  return rows.map((r) => adFromRow({ ...UNREAD, ...r, ad_type: f.narrowing.adType }));
}
