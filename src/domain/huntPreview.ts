// What a hunt would have matched among recent ads: the count, the average per day and the newest
// few. Pure; the ads come in newest first, already narrowed by necessary conditions only, and the
// matcher's own rules (matchesCompiled) decide.
import { distanceFromHunt } from './explainMatch.js';
import { adNarrowingOf, type AdNarrowing } from './adNarrowing.js';
import { compileHunt, prepareAd } from './compiledHunt.js';
import { acceptedBrands, matchesCompiled } from './matchHunt.js';
import type { Ad, Hunt } from './types.js';

export const PREVIEW_SAMPLE_SIZE = 20;

export interface PreviewSampleAd {
  ad: Ad;
  distanceKm: number | null;
}

export interface HuntPreview {
  days: number;
  matchingAds: number;
  /** matchingAds / days, to one decimal. */
  perDay: number;
  /** Every matching ad's id (to count the account's leads among them). */
  matchedAdIds: string[];
  /** The newest matching ads. */
  sample: PreviewSampleAd[];
}

export function previewHunt(hunt: Hunt, newestFirst: Iterable<Ad>, days: number): HuntPreview {
  const compiled = compileHunt(hunt);
  const matchedAdIds: string[] = [];
  const sample: PreviewSampleAd[] = [];
  for (const ad of newestFirst) {
    if (!matchesCompiled(prepareAd(ad), compiled)) continue;
    matchedAdIds.push(ad.adId);
    if (sample.length < PREVIEW_SAMPLE_SIZE) sample.push({ ad, distanceKm: distanceFromHunt(ad, compiled.hunt) });
  }
  return {
    days,
    matchingAds: matchedAdIds.length,
    perDay: Math.round((matchedAdIds.length / days) * 10) / 10,
    matchedAdIds,
    sample,
  };
}

/** How SQL may narrow the ads a preview reads (src/sql/ads/selectPreviewCandidates.ts). */
export interface PreviewNarrowing {
  narrowing: AdNarrowing;
  /** The brands as the ads write them that the hunt accepts; undefined: any brand (an empty list: nothing can match). */
  brands?: string[];
  /** Keywords to look for: the description is needed. */
  withDescription: boolean;
}

/** `writtenBrands`: every brand, as written, of the ads of the hunt's type (asked only of a hunt with brands). */
export function previewNarrowingOf(hunt: Hunt, writtenBrands: readonly string[] | null): PreviewNarrowing {
  const compiled = compileHunt(hunt);
  return {
    narrowing: adNarrowingOf(hunt),
    ...(compiled.brands !== null ? { brands: acceptedBrands(compiled, writtenBrands ?? []) } : {}),
    withDescription: compiled.keywords.length > 0 || compiled.excluded.length > 0,
  };
}
