// Why an ad does or does not match a hunt: one entry for every criterion the hunt sets, with what the
// hunt asks and what the ad has. Whether each criterion holds comes from the matcher's own checks
// (criteria.ts), so `matches` is, by construction, what the matcher decides; expected/actual only
// describe the values for a human.
import { distanceKm } from './geo.js';
import { compileHunt, FLAGS, prepareAd, type CompiledHunt, type PreparedAd } from './compiledHunt.js';
import * as check from './criteria.js';
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
  return ad.lat === null || ad.lng === null
    ? null
    : round1(distanceKm(hunt.location.lat, hunt.location.lng, ad.lat, ad.lng));
}

const range = (min: number | null, max: number | null) => ({ min, max });
const isSet = (min: number | null, max: number | null) => min !== null || max !== null;

export function explainCompiled(p: PreparedAd, h: CompiledHunt): MatchExplanation {
  const { ad } = p;
  const { hunt } = h;
  const criteria: CriterionResult[] = [
    { name: 'status', ok: check.statusHolds(p, h), expected: 'active', actual: hunt.status },
    { name: 'adType', ok: check.adTypeHolds(p, h), expected: hunt.adType, actual: ad.adType },
  ];
  if (h.subTypes !== null)
    criteria.push({ name: 'subTypes', ok: check.subTypesHold(p, h), expected: hunt.subTypes, actual: ad.subType });
  if (h.brands !== null)
    criteria.push({ name: 'brands', ok: check.brandsHold(p, h), expected: hunt.brands, actual: ad.brand });
  criteria.push(...rangeCriteria(p, h));
  criteria.push({
    name: 'location',
    ok: check.locationHolds(p, h),
    expected: h.radiusKm === 0 ? { radiusKm: 0, zipcode: h.zipcode } : { radiusKm: h.radiusKm },
    actual: { distanceKm: distanceFromHunt(ad, hunt), zipcode: ad.zipcode },
  });
  if (h.ownerTypes !== null)
    criteria.push({
      name: 'ownerTypes',
      ok: check.ownerTypesHold(p, h),
      expected: hunt.ownerTypes,
      actual: ad.ownerType,
    });
  criteria.push(...keywordCriteria(p, h));
  for (const [name, bit] of FLAGS) {
    if ((h.requiredFlags & bit) !== 0)
      criteria.push({ name, ok: check.flagsHeld(p, bit), expected: true, actual: ad[name] });
  }
  return { matches: criteria.every((c) => c.ok), criteria };
}

/** Price, model year and mileage: those the hunt bounds. */
function rangeCriteria(p: PreparedAd, h: CompiledHunt): CriterionResult[] {
  const { ad } = p;
  const criteria: CriterionResult[] = [];
  if (isSet(h.priceMin, h.priceMax))
    criteria.push({
      name: 'price',
      ok: check.priceHolds(p, h),
      expected: range(h.priceMin, h.priceMax),
      actual: ad.price,
    });
  if (isSet(h.yearMin, h.yearMax))
    criteria.push({
      name: 'modelYear',
      ok: check.modelYearHolds(p, h),
      expected: range(h.yearMin, h.yearMax),
      actual: ad.modelYear,
    });
  if (isSet(h.mileageMin, h.mileageMax))
    criteria.push({
      name: 'mileage',
      ok: check.mileageHolds(p, h),
      expected: range(h.mileageMin, h.mileageMax),
      actual: ad.mileageKm,
    });
  return criteria;
}

/** The keywords the ad must have (those it lacks), and those it must not (those it has). */
function keywordCriteria(p: PreparedAd, h: CompiledHunt): CriterionResult[] {
  const criteria: CriterionResult[] = [];
  if (h.keywords.length > 0) {
    const missing = h.keywordSources.filter((_, i) => !check.textHas(p, h.keywords[i]!));
    criteria.push({ name: 'keywords', ok: check.keywordsHold(p, h), expected: h.keywordSources, actual: { missing } });
  }
  if (h.excluded.length > 0) {
    const found = h.excludedSources.filter((_, i) => check.textHas(p, h.excluded[i]!));
    criteria.push({
      name: 'excludedKeywords',
      ok: check.excludedKeywordsHold(p, h),
      expected: h.excludedSources,
      actual: { found },
    });
  }
  return criteria;
}

export function explainMatch(ad: Ad, hunt: Hunt): MatchExplanation {
  return explainCompiled(prepareAd(ad), compileHunt(hunt));
}
