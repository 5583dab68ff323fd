// Writes generated hunts and ads straight into a database (multi-row statements, no HTTP, no events),
// so that setting up 200,000 ads takes seconds. Rows have the shape the service writes
// (src/producers/hunts/huntStore.ts, src/producers/ads/ingestAds.ts).
import type { Db } from '../../src/db/knex.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { rowFromSettings } from '../../src/sql/rows/huntRow.js';

const CHUNK = 5000;

async function insertJson(db: Db, table: string, columns: string, rows: object[]) {
  const names = columns.split(',').map((c) => c.trim().split(/\s+/)[0]!).join(', ');
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.raw(`INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS x(${columns})`, [JSON.stringify(rows.slice(i, i + CHUNK))]);
  }
}

export async function insertAccounts(db: Db, ids: string[]) {
  await insertJson(db, 'accounts', 'id uuid, name text', ids.map((id, i) => ({ id, name: `Compte ${i + 1}` })));
}

const HUNT_COLUMNS = `id uuid, account_id uuid, name text, ad_type text, sub_types text[], brands text[], location_label text,
  zipcode text, lat float8, lng float8, radius_km int, price_min int, price_max int, model_year_min int, model_year_max int,
  mileage_min int, mileage_max int, owner_types text[], keywords text[], excluded_keywords text[], is_urgent bool,
  has_been_reposted bool, price_has_dropped bool, has_been_boosted bool, is_low_price bool, status text, auto_refresh bool,
  outreach_channel text, outreach_template text, daily_pacing_limit int, last_scan_at timestamptz, version int,
  created_at timestamptz, updated_at timestamptz`;

export const huntRow = (h: Hunt) => ({
  id: h.id,
  account_id: h.accountId,
  ...rowFromSettings(h),
  last_scan_at: h.lastScanAt,
  version: h.version,
  created_at: h.createdAt,
  updated_at: h.updatedAt,
});

export async function insertHunts(db: Db, hunts: Hunt[]) {
  await insertJson(db, 'hunts', HUNT_COLUMNS, hunts.map(huntRow));
}

const AD_COLUMNS = `id uuid, source text, external_id text, url text, title text, description text, price int, ad_type text,
  sub_type text, brand text, model text, model_year int, mileage_km int, fuel text, gearbox text, zipcode text,
  city text, department text, lat float8, lng float8, owner_name text, owner_type text, phone text,
  accept_salesmen bool, is_urgent bool, has_been_reposted bool, price_has_dropped bool, has_been_boosted bool,
  is_low_price bool, pictures text[], first_published_at timestamptz, last_published_at timestamptz,
  scraped_at timestamptz, match_hash text, created_at timestamptz, updated_at timestamptz`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function insertAds(db: Db, ads: Ad[]) {
  await insertJson(
    db,
    'ads',
    AD_COLUMNS,
    ads.map((a) => ({
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
      scraped_at: iso(a.scrapedAt),
      // Any digest will do: nothing re-ingests these ads.
      match_hash: 'bench',
      created_at: iso(a.scrapedAt),
      updated_at: iso(a.scrapedAt),
    })),
  );
}
