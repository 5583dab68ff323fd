// The ads a hunt preview looks at: those of the backfill's window (scraped since a date, as
// src/sql/ads/streamAds.ts reads them: an ad is in it by its scrapedAt, whatever its firstPublishedAt, which
// may be older or missing), narrowed by the conditions the backfill uses (src/domain/adNarrowing.ts:
// type, the radius's bounding box or the zipcode, the price, year and mileage ranges) and the brands as
// written that the hunt accepts. Never the matching rules themselves: the caller matches what this
// returns. Only the columns matching and the preview's sample read come back, and the description only
// when the hunt has keywords: a month of ads can be 200,000 rows.
import type { Db } from '../../db/knex.js';
import type { AdNarrowing } from '../../domain/adNarrowing.js';
import type { Ad } from '../../domain/types.js';
import { narrowAds } from './narrowAds.js';
import { adColumns, adFromRow, type AdRow } from './adRow.js';

export interface PreviewAdFilter {
  narrowing: AdNarrowing;
  scrapedSince: Date;
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
  'scraped_at',
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
};

/**
 * Newest first: by first publication, or by scrape for an ad that gives none. The Ads carry only what
 * matching and the sample read; the other fields are empty.
 */
export async function selectPreviewAds(db: Db, f: PreviewAdFilter): Promise<Ad[]> {
  const q = db('ads')
    .select(db.raw(adColumns(READ)), f.withDescription ? 'description' : db.raw(`'' AS description`))
    .where('scraped_at', '>=', f.scrapedSince);
  narrowAds(q, f.narrowing);
  if (f.brands !== undefined) q.whereIn('brand', f.brands);
  const rows = (await q.orderByRaw('coalesce(first_published_at, scraped_at) DESC, id DESC')) as Array<
    Pick<AdRow, (typeof READ)[number] | 'description'>
  >;
  return rows.map((r) => adFromRow({ ...UNREAD, ...r, ad_type: f.narrowing.adType }));
}
