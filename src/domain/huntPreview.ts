// What a hunt would have matched among recent ads: the count, the average per day and the newest
// few. Pure; the ads come in newest first, already narrowed by necessary conditions only, and the
// matcher's own rules (matchesCompiled) decide.
import { distanceFromHunt } from './explainMatch.js';
import { prepareAd, type CompiledHunt } from './compiledHunt.js';
import { matchesCompiled } from './matchHunt.js';
import type { Ad } from './types.js';

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

export function previewHunt(compiled: CompiledHunt, newestFirst: Iterable<Ad>, days: number): HuntPreview {
  const matchedAdIds: string[] = [];
  const sample: PreviewSampleAd[] = [];
  for (const ad of newestFirst) {
    if (!matchesCompiled(prepareAd(ad), compiled)) continue;
    matchedAdIds.push(ad.adId);
    if (sample.length < PREVIEW_SAMPLE_SIZE) sample.push({ ad, distanceKm: distanceFromHunt(ad, compiled.hunt) });
  }
  return { days, matchingAds: matchedAdIds.length, perDay: Math.round((matchedAdIds.length / days) * 10) / 10, matchedAdIds, sample };
}
