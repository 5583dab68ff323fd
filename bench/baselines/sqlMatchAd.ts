// Baseline of scenario A: "just use SQL", one indexed PostgreSQL query per ad that returns the
// matching hunts, written as well as we could (the fair fight):
//   - a matching table maintained beside hunts (one row per hunt and brand; '*' for "any brand"), with
//     everything pre-normalised the way the in-memory matcher does it (brands, sub-types, keywords as
//     LIKE patterns, the circle's bounding box, inclusive ranges as int4range, the haversine threshold);
//   - one GiST index over (ad type, brand, bounding box, price range) with btree_gist, so a single index
//     descent narrows by brand, place and price at once; a b-tree for radius-0 hunts (same zipcode);
//   - one statement per ad shape (which of price/year/mileage are known), prepared once per connection,
//     three UNION ALL branches (the ad's brand, any brand, same zipcode), ordered oldest hunt first.
// The exact rules (ranges, flags, lists, great-circle distance, keywords) are the same as docs/ARCHITECTURE.md
// section 2 and src/domain/matchHunt.ts, with the same floating-point formula for the distance.
import type pg from 'pg';
import type { Db } from '../../src/db/knex.js';
import { boundingBox } from '../../src/domain/geo.js';
import { compileHunt, type PreparedAd } from '../../src/domain/compiledHunt.js';
import type { Hunt } from '../../src/domain/types.js';

export async function createMatchTable(db: Db) {
  await db.raw(`
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    CREATE TABLE bench_hunt_match (
      hunt_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      ad_type text NOT NULL,
      brand_key text NOT NULL,
      radius_km int NOT NULL,
      zipcode text NOT NULL,
      area box,
      price int4range NOT NULL,
      model_year int4range NOT NULL,
      mileage int4range NOT NULL,
      required_flags int NOT NULL,
      sub_types text[],
      owner_types text[],
      keywords text[] NOT NULL,
      excluded text[] NOT NULL,
      lat_rad float8 NOT NULL,
      lng_rad float8 NOT NULL,
      cos_lat float8 NOT NULL,
      max_term float8 NOT NULL
    );
    CREATE INDEX bench_hunt_match_area_idx ON bench_hunt_match USING gist (ad_type, brand_key, area, price) WHERE radius_km > 0;
    CREATE INDEX bench_hunt_match_zipcode_idx ON bench_hunt_match (ad_type, zipcode) WHERE radius_km = 0;
  `);
}

const range = (min: number | null, max: number | null) => `[${min ?? ''},${max ?? ''}]`;

/** Adds active hunts to the matching table (what a trigger or the hunts API would maintain). */
export async function insertMatchRows(db: Db, hunts: Hunt[]) {
  const rows: object[] = [];
  for (const hunt of hunts) {
    if (hunt.status !== 'active') continue;
    const c = compileHunt(hunt);
    const box = c.radiusKm > 0 ? boundingBox(c.lat, c.lng, c.radiusKm) : null;
    const base = {
      hunt_id: c.id,
      created_at: hunt.createdAt.toISOString(),
      ad_type: c.adType,
      radius_km: c.radiusKm,
      zipcode: c.zipcode,
      area: box ? `((${box.maxLng},${box.maxLat}),(${box.minLng},${box.minLat}))` : null,
      price: range(c.priceMin, c.priceMax),
      model_year: range(c.yearMin, c.yearMax),
      mileage: range(c.mileageMin, c.mileageMax),
      required_flags: c.requiredFlags,
      sub_types: c.subTypes ? [...c.subTypes] : null,
      owner_types: c.ownerTypes ? [...c.ownerTypes] : null,
      keywords: c.keywords.map((k) => `%${k}%`),
      excluded: c.excluded.map((k) => `%${k}%`),
      lat_rad: c.latRad,
      lng_rad: c.lngRad,
      cos_lat: c.cosLat,
      max_term: c.maxTerm,
    };
    for (const brand of c.brands ?? ['*']) rows.push({ ...base, brand_key: brand });
  }
  const columns = `hunt_id uuid, created_at timestamptz, ad_type text, brand_key text, radius_km int, zipcode text, area box,
    price int4range, model_year int4range, mileage int4range, required_flags int, sub_types text[], owner_types text[],
    keywords text[], excluded text[], lat_rad float8, lng_rad float8, cos_lat float8, max_term float8`;
  const names = columns
    .split(',')
    .map((c) => c.trim().split(/\s+/)[0]!)
    .join(', ');
  for (let i = 0; i < rows.length; i += 5000) {
    await db.raw(
      `INSERT INTO bench_hunt_match (${names}) SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS x(${columns})`,
      [JSON.stringify(rows.slice(i, i + 5000))],
    );
  }
  await db.raw('ANALYZE bench_hunt_match');
}

/** A range condition: a known value must be in the range; an unknown one matches only an open range. */
const rangeCondition = (column: string, param: string, known: boolean) =>
  known ? `k.${column} @> ${param}::int` : `(lower_inf(k.${column}) AND upper_inf(k.${column}))`;

function statementText(priceKnown: boolean, yearKnown: boolean, mileageKnown: boolean) {
  // $1 ad type, $2 brand, $3 lng, $4 lat, $5 zipcode, $6 price, $7 year, $8 mileage, $9 flags,
  // $10 sub-type, $11 owner type, $12 lat (rad), $13 cos(lat), $14 lng (rad), $15 normalised text.
  const exact = `
        ${rangeCondition('model_year', '$7', yearKnown)}
    AND ${rangeCondition('mileage', '$8', mileageKnown)}
    AND (k.required_flags & $9::int) = k.required_flags
    AND (k.sub_types IS NULL OR k.sub_types @> ARRAY[$10::text])
    AND (k.owner_types IS NULL OR k.owner_types @> ARRAY[$11::text])
    AND $15::text LIKE ALL (k.keywords)
    AND NOT ($15::text LIKE ANY (k.excluded))`;
  const distance = `sin(($12::float8 - k.lat_rad) / 2) * sin(($12::float8 - k.lat_rad) / 2)
      + k.cos_lat * $13::float8 * sin(($14::float8 - k.lng_rad) / 2) * sin(($14::float8 - k.lng_rad) / 2) <= k.max_term`;
  const price = rangeCondition('price', '$6', priceKnown);
  const branch = (brand: string) => `
    SELECT k.hunt_id, k.created_at FROM bench_hunt_match k
     WHERE k.radius_km > 0 AND k.ad_type = $1 AND k.brand_key = ${brand} AND k.area @> point($3::float8, $4::float8)
       AND ${price} AND ${distance} AND ${exact}`;
  return `${branch('$2::text')}
    UNION ALL ${branch(`'*'`)}
    UNION ALL
    SELECT k.hunt_id, k.created_at FROM bench_hunt_match k
     WHERE k.radius_km = 0 AND k.ad_type = $1 AND k.zipcode = $5::text AND k.brand_key IN ($2::text, '*')
       AND ${price} AND ${exact}
    ORDER BY 2, 1`;
}

/** Matches ads with one query each on `client` (statements prepared on first use). */
export function createSqlMatcher(client: pg.Client) {
  return async function match(p: PreparedAd): Promise<string[]> {
    const ad = p.ad;
    const key = `${ad.price !== null ? 1 : 0}${ad.modelYear !== null ? 1 : 0}${ad.mileageKm !== null ? 1 : 0}`;
    const { rows } = await client.query<{ hunt_id: string }>({
      name: `bench_match_${key}`,
      text: statementText(ad.price !== null, ad.modelYear !== null, ad.mileageKm !== null),
      values: [
        ad.adType,
        p.brand,
        p.hasCoordinates ? ad.lng : null,
        p.hasCoordinates ? ad.lat : null,
        ad.zipcode,
        ad.price,
        ad.modelYear,
        ad.mileageKm,
        p.flags,
        p.subType,
        ad.ownerType,
        p.latRad,
        p.cosLat,
        p.lngRad,
        p.text(),
      ],
    });
    return rows.map((r) => r.hunt_id);
  };
}
