// What every ad a hunt matches has, for SQL to narrow the ads it reads before the rules decide (a
// hunt's backfill, the hunt preview): the ad type, the radius's bounding box (or, for radius 0, the
// zipcode), and the price, model year and mileage ranges, bounds as the rules check them. Never a
// decision: whatever SQL returns is then matched in memory (docs/ARCHITECTURE.md section 2).
import { boundingBox, type LatLngBox } from './geo.js';
import type { HuntCriteria } from './types.js';

export interface AdNarrowing extends Pick<
  HuntCriteria,
  'adType' | 'priceMin' | 'priceMax' | 'modelYearMin' | 'modelYearMax' | 'mileageMin' | 'mileageMax'
> {
  box?: LatLngBox;
  zipcode?: string;
}

export function adNarrowingOf(hunt: HuntCriteria): AdNarrowing {
  return {
    adType: hunt.adType,
    ...(hunt.radiusKm === 0
      ? { zipcode: hunt.location.zipcode }
      : { box: boundingBox(hunt.location.lat, hunt.location.lng, hunt.radiusKm) }),
    priceMin: hunt.priceMin,
    priceMax: hunt.priceMax,
    modelYearMin: hunt.modelYearMin,
    modelYearMax: hunt.modelYearMax,
    mileageMin: hunt.mileageMin,
    mileageMax: hunt.mileageMax,
  };
}
