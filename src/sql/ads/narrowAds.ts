// The WHERE clauses of an AdNarrowing (src/domain/adNarrowing.ts) on the ads table, for every query
// that reads the ads a hunt may match: conditions every match satisfies, never the rules themselves.
import type { Knex } from 'knex';
import type { AdNarrowing } from '../../domain/adNarrowing.js';

export function narrowAds<Q extends Knex.QueryBuilder>(q: Q, n: AdNarrowing): Q {
  q.where('ad_type', n.adType);
  if (n.zipcode !== undefined) q.where('zipcode', n.zipcode);
  if (n.box) {
    q.whereBetween('lat', [n.box.minLat, n.box.maxLat]);
    // A box that runs past the antimeridian (or spans every longitude) does not narrow longitudes.
    if (n.box.minLng >= -180 && n.box.maxLng <= 180) q.whereBetween('lng', [n.box.minLng, n.box.maxLng]);
  }
  const bound = (column: string, min: number | null, max: number | null) => {
    if (min !== null) q.where(column, '>=', min);
    if (max !== null) q.where(column, '<=', max);
  };
  bound('price', n.priceMin, n.priceMax);
  bound('model_year', n.modelYearMin, n.modelYearMax);
  bound('mileage_km', n.mileageMin, n.mileageMax);
  return q;
}
