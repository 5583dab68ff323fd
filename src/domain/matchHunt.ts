// The matching rules of DESIGN.md section 2, as a pure function of (ad, hunt).
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

export function compileHunt(hunt: Hunt): CompiledHunt {
  const { lat, lng } = hunt.location;
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
    keywords: hunt.keywords.map(normalizeText).filter(Boolean).map(pad),
    excluded: hunt.excludedKeywords.map(normalizeText).filter(Boolean).map(pad),
    requiredFlags:
      (hunt.isUrgent ? FLAG_URGENT : 0) |
      (hunt.hasBeenReposted ? FLAG_REPOSTED : 0) |
      (hunt.priceHasDropped ? FLAG_PRICE_DROPPED : 0) |
      (hunt.hasBeenBoosted ? FLAG_BOOSTED : 0) |
      (hunt.isLowPrice ? FLAG_LOW_PRICE : 0),
  };
}

export function prepareAd(ad: Ad): PreparedAd {
  const hasCoordinates = ad.lat !== null && ad.lng !== null;
  let text: string | undefined;
  return {
    ad,
    brand: ad.brand ? normalizeBrand(ad.brand) : null,
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

/** Every criterion the hunt sets holds for the ad. Cheap checks first. */
export function matchesCompiled(p: PreparedAd, h: CompiledHunt): boolean {
  const ad = p.ad;
  if (!h.active || ad.adType !== h.adType) return false;
  if ((p.flags & h.requiredFlags) !== h.requiredFlags) return false;
  if (!inRange(ad.price, h.priceMin, h.priceMax)) return false;
  if (!inRange(ad.modelYear, h.yearMin, h.yearMax)) return false;
  if (!inRange(ad.mileageKm, h.mileageMin, h.mileageMax)) return false;
  if (h.brands !== null && (p.brand === null || !h.brands.has(p.brand))) return false;
  if (h.subTypes !== null && (p.subType === null || !h.subTypes.has(p.subType))) return false;
  if (h.ownerTypes !== null && (ad.ownerType === null || !h.ownerTypes.has(ad.ownerType))) return false;
  if (h.radiusKm === 0) {
    if (ad.zipcode !== h.zipcode) return false;
  } else {
    if (!p.hasCoordinates) return false;
    if (haversineTerm(h.latRad, h.cosLat, h.lngRad, p.latRad, p.cosLat, p.lngRad) > h.maxTerm) return false;
  }
  if (h.keywords.length > 0 || h.excluded.length > 0) {
    const text = p.text();
    for (const k of h.keywords) if (!text.includes(k)) return false;
    for (const k of h.excluded) if (text.includes(k)) return false;
  }
  return true;
}

export function matchesHunt(ad: Ad, hunt: Hunt): boolean {
  return matchesCompiled(prepareAd(ad), compileHunt(hunt));
}
