// The criteria of docs/ARCHITECTURE.md section 2, one named check each, on a compiled hunt and a
// prepared ad (compiledHunt.ts). Two modules call them, and only these two (a layer rule of
// .dependency-cruiser.cjs): the matcher's test of a hunt (matchHunt.ts, the hot path) and the
// explanation of a match (explainMatch.ts), so that the two cannot disagree.
import type { CompiledHunt, PreparedAd } from './compiledHunt.js';
import { brandKey } from './compiledHunt.js';
import { haversineTerm } from './geo.js';

/** A set bound needs a value within it; an unset bound is open. */
function inRange(value: number | null, min: number | null, max: number | null): boolean {
  if (min === null && max === null) return true;
  if (value === null) return false;
  return (min === null || value >= min) && (max === null || value <= max);
}

/** A non-empty list needs the ad's value in it; an ad without the value does not match a list. */
const inList = (value: string | null, list: ReadonlySet<string> | null) =>
  list === null || (value !== null && list.has(value));

export const statusHolds = (_p: PreparedAd, h: CompiledHunt) => h.active;
export const adTypeHolds = (p: PreparedAd, h: CompiledHunt) => p.ad.adType === h.adType;
/** Every flag of `mask` is set on the ad (mask = the hunt's required flags, or one of them). */
export const flagsHeld = (p: PreparedAd, mask: number) => (p.flags & mask) === mask;
export const priceHolds = (p: PreparedAd, h: CompiledHunt) => inRange(p.ad.price, h.priceMin, h.priceMax);
export const modelYearHolds = (p: PreparedAd, h: CompiledHunt) => inRange(p.ad.modelYear, h.yearMin, h.yearMax);
export const mileageHolds = (p: PreparedAd, h: CompiledHunt) => inRange(p.ad.mileageKm, h.mileageMin, h.mileageMax);
export const brandsHold = (p: PreparedAd, h: CompiledHunt) => inList(p.brand, h.brands);
/** The brands criterion for a brand alone, as an ad writes it (to narrow a search before matching). */
export const acceptsBrand = (h: CompiledHunt, brand: string | null) => inList(brandKey(brand), h.brands);
export const subTypesHold = (p: PreparedAd, h: CompiledHunt) => inList(p.subType, h.subTypes);
export const ownerTypesHold = (p: PreparedAd, h: CompiledHunt) => inList(p.ad.ownerType, h.ownerTypes);
/** Radius 0: the same zipcode; otherwise coordinates within the radius (an ad without them is out). */
export function locationHolds(p: PreparedAd, h: CompiledHunt): boolean {
  if (h.radiusKm === 0) return p.ad.zipcode === h.zipcode;
  return p.hasCoordinates && haversineTerm(h.latRad, h.cosLat, h.lngRad, p.latRad, p.cosLat, p.lngRad) <= h.maxTerm;
}
/** Padded keyword in padded text: whole words only. */
export const textHas = (p: PreparedAd, keyword: string) => p.text().includes(keyword);
export function keywordsHold(p: PreparedAd, h: CompiledHunt): boolean {
  for (const k of h.keywords) if (!textHas(p, k)) return false;
  return true;
}
export function excludedKeywordsHold(p: PreparedAd, h: CompiledHunt): boolean {
  for (const k of h.excluded) if (textHas(p, k)) return false;
  return true;
}
