// Why an ad does or does not match a hunt: one entry for every criterion the hunt sets, with what the
// hunt asks and what the ad has. Whether each criterion holds comes from the matcher's own checks
// (criteria.ts), so `matches` is, by construction, what the matcher decides; expected/actual only
// describe the values for a human.
import { distanceKm } from './geo.js';
import { compileHunt, FLAGS, prepareAd, type CompiledHunt, type PreparedAd } from './compiledHunt.js';
import {
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
  textHas,
} from './criteria.js';
import type { Ad, Hunt } from './types.js';

export interface CriterionResult {
  name: string;
  ok: boolean;
  expected: unknown;
  actual: unknown;
}

export interface MatchExplanation {
  matches: boolean;
  criteria: CriterionResult[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Great-circle distance from the hunt's centre to the ad, to 0.1 km; null for an ad without coordinates. */
export function distanceFromHunt(ad: Ad, hunt: Pick<Hunt, 'location'>): number | null {
  return ad.lat === null || ad.lng === null ? null : round1(distanceKm(hunt.location.lat, hunt.location.lng, ad.lat, ad.lng));
}

const range = (min: number | null, max: number | null) => ({ min, max });
const isSet = (min: number | null, max: number | null) => min !== null || max !== null;

export function explainCompiled(p: PreparedAd, h: CompiledHunt): MatchExplanation {
  const { ad } = p;
  const { hunt } = h;
  const criteria: CriterionResult[] = [
    { name: 'status', ok: statusHolds(p, h), expected: 'active', actual: hunt.status },
    { name: 'adType', ok: adTypeHolds(p, h), expected: hunt.adType, actual: ad.adType },
  ];
  if (h.subTypes !== null) criteria.push({ name: 'subTypes', ok: subTypesHold(p, h), expected: hunt.subTypes, actual: ad.subType });
  if (h.brands !== null) criteria.push({ name: 'brands', ok: brandsHold(p, h), expected: hunt.brands, actual: ad.brand });
  if (isSet(h.priceMin, h.priceMax)) criteria.push({ name: 'price', ok: priceHolds(p, h), expected: range(h.priceMin, h.priceMax), actual: ad.price });
  if (isSet(h.yearMin, h.yearMax)) criteria.push({ name: 'modelYear', ok: modelYearHolds(p, h), expected: range(h.yearMin, h.yearMax), actual: ad.modelYear });
  if (isSet(h.mileageMin, h.mileageMax)) criteria.push({ name: 'mileage', ok: mileageHolds(p, h), expected: range(h.mileageMin, h.mileageMax), actual: ad.mileageKm });
  criteria.push({
    name: 'location',
    ok: locationHolds(p, h),
    expected: h.radiusKm === 0 ? { radiusKm: 0, zipcode: h.zipcode } : { radiusKm: h.radiusKm },
    actual: { distanceKm: distanceFromHunt(ad, hunt), zipcode: ad.zipcode },
  });
  if (h.ownerTypes !== null) criteria.push({ name: 'ownerTypes', ok: ownerTypesHold(p, h), expected: hunt.ownerTypes, actual: ad.ownerType });
  if (h.keywords.length > 0) {
    const missing = h.keywordSources.filter((_, i) => !textHas(p, h.keywords[i]!));
    criteria.push({ name: 'keywords', ok: keywordsHold(p, h), expected: h.keywordSources, actual: { missing } });
  }
  if (h.excluded.length > 0) {
    const found = h.excludedSources.filter((_, i) => textHas(p, h.excluded[i]!));
    criteria.push({ name: 'excludedKeywords', ok: excludedKeywordsHold(p, h), expected: h.excludedSources, actual: { found } });
  }
  for (const [name, bit] of FLAGS) {
    if ((h.requiredFlags & bit) !== 0) criteria.push({ name, ok: flagsHeld(p, bit), expected: true, actual: ad[name] });
  }
  return { matches: criteria.every((c) => c.ok), criteria };
}

export function explainMatch(ad: Ad, hunt: Hunt): MatchExplanation {
  return explainCompiled(prepareAd(ad), compileHunt(hunt));
}
