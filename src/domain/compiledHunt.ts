// A hunt compiled for matching (normalised lists, keyword patterns, trigonometry) and an ad prepared
// for it, each once: the matcher evaluates tens of thousands of ads per second against their
// candidate hunts. The criteria themselves are in criteria.ts.
import { haversineThreshold } from './geo.js';
import { normalizeBrand, normalizeText } from './normalize.js';
import type { Ad, AdFlags, Hunt } from './types.js';

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

/**
 * Compiled sets are read-only, and hunts name the same few sets (one brand, one owner type): each
 * distinct set is built once and shared, which keeps an index of many hunts small. The cache stops
 * growing at SHARED_SETS_MAX distinct sets; past that, sets are built per hunt.
 */
const SHARED_SETS_MAX = 50_000;
const sharedSets = new Map<string, ReadonlySet<string>>();

function setOf(values: readonly string[], normalize: (s: string) => string = (s) => s): ReadonlySet<string> | null {
  if (values.length === 0) return null;
  const normalized = values.map(normalize);
  const key = normalized.join('\u0000');
  let set = sharedSets.get(key);
  if (set === undefined) {
    set = new Set(normalized);
    if (sharedSets.size < SHARED_SETS_MAX) sharedSets.set(key, set);
  }
  return set;
}
const pad = (s: string) => ` ${s} `;

const NO_WORDS = { patterns: [] as string[], sources: [] as string[] };

/** Normalised, padded words (blank ones dropped), and the hunt's words they come from (most hunts have none: one shared pair). */
function compileWords(words: readonly string[]): { patterns: string[]; sources: string[] } {
  if (words.length === 0) return NO_WORDS;
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
    ownerTypes: setOf(hunt.ownerTypes),
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
    requiredFlags: flagBitsOf(hunt),
  };
}

/** The bits of the flags an ad has, or a hunt requires. */
const flagBitsOf = (f: AdFlags) =>
  (f.isUrgent ? FLAG_URGENT : 0) |
  (f.hasBeenReposted ? FLAG_REPOSTED : 0) |
  (f.priceHasDropped ? FLAG_PRICE_DROPPED : 0) |
  (f.hasBeenBoosted ? FLAG_BOOSTED : 0) |
  (f.isLowPrice ? FLAG_LOW_PRICE : 0);

/** The brand as the brands criterion compares it (an empty brand is no brand). */
export const brandKey = (brand: string | null) => (brand ? normalizeBrand(brand) : null);

export function prepareAd(ad: Ad): PreparedAd {
  const hasCoordinates = ad.lat !== null && ad.lng !== null;
  let text: string | undefined;
  return {
    ad,
    brand: brandKey(ad.brand),
    subType: ad.subType ? normalizeText(ad.subType) : null,
    flags: flagBitsOf(ad),
    hasCoordinates,
    latRad: hasCoordinates ? ad.lat! * RAD : 0,
    lngRad: hasCoordinates ? ad.lng! * RAD : 0,
    cosLat: hasCoordinates ? Math.cos(ad.lat! * RAD) : 0,
    text: () => (text ??= pad(normalizeText(`${ad.title} ${ad.description}`))),
  };
}
