// The matching rules of docs/ARCHITECTURE.md section 2, as a pure function of (ad, hunt).
// Hunts are compiled once (normalised lists, keyword patterns, trigonometry) and ads prepared once,
// because the matcher evaluates tens of thousands of ads per second against their candidate hunts.
import { haversineTerm, haversineThreshold } from './geo.js';
import { normalizeBrand, normalizeText } from './normalize.js';
import type { Ad, Hunt } from './types.js';

const RAD = Math.PI / 180;

const FLAG_URGENT = 1;
const FLAG_REPOSTED = 2;
const FLAG_PRICE_DROPPED = 4;
const FLAG_BOOSTED = 8;
const FLAG_LOW_PRICE = 16;

/** The five flags (docs/ARCHITECTURE.md section 1), by name, and their bit in CompiledHunt.requiredFlags / PreparedAd.flags. */
export const FLAGS = [
  ['isUrgent', FLAG_URGENT],
  ['hasBeenReposted', FLAG_REPOSTED],
  ['priceHasDropped', FLAG_PRICE_DROPPED],
  ['hasBeenBoosted', FLAG_BOOSTED],
  ['isLowPrice', FLAG_LOW_PRICE],
] as const;

export interface CompiledHunt {
  hunt: Hunt;
  id: string;
  createdAtMs: number;
  active: boolean;
  adType: string;
  brands: ReadonlySet<string> | null;
  subTypes: ReadonlySet<string> | null;
  ownerTypes: ReadonlySet<string> | null;
  priceMin: number | null;
  priceMax: number | null;
  yearMin: number | null;
  yearMax: number | null;
  mileageMin: number | null;
  mileageMax: number | null;
  radiusKm: number;
  zipcode: string;
  lat: number;
  lng: number;
  latRad: number;
  lngRad: number;
  cosLat: number;
  /** Haversine term threshold for radiusKm (see geo.ts). */
  maxTerm: number;
  /** Normalised keywords padded with spaces, so that they match whole words of the padded ad text. */
  keywords: string[];
  excluded: string[];
  /** The hunt's own words behind `keywords` and `excluded`, in the same order (for explanations). */
  keywordSources: string[];
  excludedSources: string[];
  requiredFlags: number;
}

export interface PreparedAd {
  ad: Ad;
  brand: string | null;
  subType: string | null;
  flags: number;
  hasCoordinates: boolean;
  latRad: number;
  lngRad: number;
  cosLat: number;
  /** Normalised ' title description ', computed on first use (few hunts have keywords). */
  text(): string;
}

const setOf = (values: readonly string[], normalize: (s: string) => string) => (values.length === 0 ? null : new Set(values.map(normalize)));
const pad = (s: string) => ` ${s} `;

/** Normalised, padded words (blank ones dropped), and the hunt's words they come from. */
function compileWords(words: readonly string[]): { patterns: string[]; sources: string[] } {
  const kept = words.map((w) => [w, normalizeText(w)] as const).filter(([, n]) => n !== '');
  return { patterns: kept.map(([, n]) => pad(n)), sources: kept.map(([w]) => w) };
}

export function compileHunt(hunt: Hunt): CompiledHunt {
  const { lat, lng } = hunt.location;
  const keywords = compileWords(hunt.keywords);
  const excluded = compileWords(hunt.excludedKeywords);
  return {
    hunt,
    id: hunt.id,
    createdAtMs: hunt.createdAt.getTime(),
    active: hunt.status === 'active',
    adType: hunt.adType,
    brands: setOf(hunt.brands, normalizeBrand),
    subTypes: setOf(hunt.subTypes, normalizeText),
    ownerTypes: hunt.ownerTypes.length === 0 ? null : new Set(hunt.ownerTypes),
    priceMin: hunt.priceMin,
    priceMax: hunt.priceMax,
    yearMin: hunt.modelYearMin,
    yearMax: hunt.modelYearMax,
    mileageMin: hunt.mileageMin,
    mileageMax: hunt.mileageMax,
    radiusKm: hunt.radiusKm,
    zipcode: hunt.location.zipcode,
    lat,
    lng,
    latRad: lat * RAD,
    lngRad: lng * RAD,
    cosLat: Math.cos(lat * RAD),
    maxTerm: haversineThreshold(hunt.radiusKm),
    keywords: keywords.patterns,
    excluded: excluded.patterns,
    keywordSources: keywords.sources,
    excludedSources: excluded.sources,
    requiredFlags:
      (hunt.isUrgent ? FLAG_URGENT : 0) |
      (hunt.hasBeenReposted ? FLAG_REPOSTED : 0) |
      (hunt.priceHasDropped ? FLAG_PRICE_DROPPED : 0) |
      (hunt.hasBeenBoosted ? FLAG_BOOSTED : 0) |
      (hunt.isLowPrice ? FLAG_LOW_PRICE : 0),
  };
}

/** The brand as the brands criterion compares it (an empty brand is no brand). */
const brandKey = (brand: string | null) => (brand ? normalizeBrand(brand) : null);

export function prepareAd(ad: Ad): PreparedAd {
  const hasCoordinates = ad.lat !== null && ad.lng !== null;
  let text: string | undefined;
  return {
    ad,
    brand: brandKey(ad.brand),
    subType: ad.subType ? normalizeText(ad.subType) : null,
    flags:
      (ad.isUrgent ? FLAG_URGENT : 0) |
      (ad.hasBeenReposted ? FLAG_REPOSTED : 0) |
      (ad.priceHasDropped ? FLAG_PRICE_DROPPED : 0) |
      (ad.hasBeenBoosted ? FLAG_BOOSTED : 0) |
      (ad.isLowPrice ? FLAG_LOW_PRICE : 0),
    hasCoordinates,
    latRad: hasCoordinates ? ad.lat! * RAD : 0,
    lngRad: hasCoordinates ? ad.lng! * RAD : 0,
    cosLat: hasCoordinates ? Math.cos(ad.lat! * RAD) : 0,
    text: () => (text ??= pad(normalizeText(`${ad.title} ${ad.description}`))),
  };
}

/** A set bound needs a value within it; an unset bound is open. */
function inRange(value: number | null, min: number | null, max: number | null): boolean {
  if (min === null && max === null) return true;
  if (value === null) return false;
  return (min === null || value >= min) && (max === null || value <= max);
}

/** A non-empty list needs the ad's value in it; an ad without the value does not match a list. */
const inList = (value: string | null, list: ReadonlySet<string> | null) => list === null || (value !== null && list.has(value));

// The criteria, one named check each: the matcher's hot path (matchesCompiled) and the explanation
// of a match (explainMatch.ts) call these same functions, so they cannot disagree.
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
