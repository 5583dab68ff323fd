// The matching rules of docs/ARCHITECTURE.md section 2, as a pure function of (ad, hunt): every
// criterion the hunt sets holds (criteria.ts). The hunt index (huntIndex.ts) narrows which hunts an ad
// is tested against, then calls this.
import { compileHunt, prepareAd, type CompiledHunt, type PreparedAd } from './compiledHunt.js';
import {
  acceptsBrand,
  adTypeHolds,
  brandsHold,
  excludedKeywordsHold,
  flagsHeld,
  keywordsHold,
  locationHolds,
  mileageHolds,
  modelYearHolds,
  ownerTypesHold,
  priceHolds,
  statusHolds,
  subTypesHold,
} from './criteria.js';
import type { Ad, Hunt } from './types.js';

/** Every criterion the hunt sets holds for the ad. Cheap checks first. */
export function matchesCompiled(p: PreparedAd, h: CompiledHunt): boolean {
  return (
    statusHolds(p, h) &&
    adTypeHolds(p, h) &&
    flagsHeld(p, h.requiredFlags) &&
    priceHolds(p, h) &&
    modelYearHolds(p, h) &&
    mileageHolds(p, h) &&
    brandsHold(p, h) &&
    subTypesHold(p, h) &&
    ownerTypesHold(p, h) &&
    locationHolds(p, h) &&
    keywordsHold(p, h) &&
    excludedKeywordsHold(p, h)
  );
}

export function matchesHunt(ad: Ad, hunt: Hunt): boolean {
  return matchesCompiled(prepareAd(ad), compileHunt(hunt));
}

/** The brands, as the ads write them ("PEUGEOT", "Peugeot"), that the hunt's brands criterion accepts (to narrow a search before matching). */
export const acceptedBrands = (h: CompiledHunt, written: readonly string[]): string[] =>
  written.filter((b) => acceptsBrand(h, b));
