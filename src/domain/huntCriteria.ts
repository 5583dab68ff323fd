// Which of a hunt's fields decide what it matches (src/domain/types.ts HuntCriteria), and whether a
// change touched them: a renamed hunt, a new template or new contact hours match the same ads, so
// they need no look back over BACKFILL_DAYS (a bulk edit of 2,000 names would otherwise re-scan a
// month of ads 2,000 times).
import type { HuntCriteria } from './types.js';

export const CRITERIA_FIELDS = [
  'adType',
  'subTypes',
  'brands',
  'location',
  'radiusKm',
  'priceMin',
  'priceMax',
  'modelYearMin',
  'modelYearMax',
  'mileageMin',
  'mileageMax',
  'ownerTypes',
  'keywords',
  'excludedKeywords',
  'isUrgent',
  'hasBeenReposted',
  'priceHasDropped',
  'hasBeenBoosted',
  'isLowPrice',
] as const satisfies ReadonlyArray<keyof HuntCriteria>;

/** True when `after` matches other ads than `before` could (any criterion differs). */
export const criteriaChanged = (before: HuntCriteria, after: HuntCriteria): boolean =>
  CRITERIA_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
