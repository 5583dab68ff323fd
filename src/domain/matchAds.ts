// Matching, as every path of the matcher does it (continuous matching, a hunt's backfill, the daily
// catch-up: src/consumers/matcher/): each ad against a set of hunts held in a hunt index, then one
// match per account and ad, attributed to the account's oldest matching hunt (docs/ARCHITECTURE.md
// section 2). Pure. The paths differ only in the hunts they hold and in the two options below, so that
// they cannot attribute a lead differently (test/domain/matchAds.unit.spec.ts).
import { compareAge } from './huntAge.js';
import type { HuntIndex } from './huntIndex.js';
import type { Ad, Hunt } from './types.js';

/** A lead to be: an account's oldest hunt that matched the ad. */
export interface Match {
  hunt: Hunt;
  ad: Ad;
}

export interface MatchOptions {
  /** Whether a hunt looks at this ad at all (the daily catch-up: only the ads scraped since the hunt's last scan). */
  looksAt?: (hunt: Hunt, ad: Ad) => boolean;
  /**
   * Only the ads this hunt (by id) matches, and only for its account (a hunt's backfill): each is still
   * attributed to the account's oldest matching hunt, which may be another one.
   */
  matchedBy?: string;
}

/** For every ad (in order), one match per account whose hunts match it. */
export function matchAds(ads: Iterable<Ad>, hunts: Pick<HuntIndex, 'match'>, options: MatchOptions = {}): Match[] {
  const { looksAt, matchedBy } = options;
  const matches: Match[] = [];
  for (const ad of ads) {
    let found = hunts.match(ad).map((c) => c.hunt);
    if (looksAt) found = found.filter((h) => looksAt(h, ad));
    if (matchedBy !== undefined) {
      const by = found.find((h) => h.id === matchedBy);
      if (!by) continue;
      found = found.filter((h) => h.accountId === by.accountId);
    }
    for (const hunt of attributeToOldest(found)) matches.push({ hunt, ad });
  }
  return matches;
}

/** Per account, the oldest of the hunts that matched: one lead per account. */
export function attributeToOldest<H extends Pick<Hunt, 'accountId' | 'createdAt' | 'id'>>(matching: readonly H[]): H[] {
  const byAccount = new Map<string, H>();
  for (const h of matching) {
    const held = byAccount.get(h.accountId);
    if (!held || isOlder(h, held)) byAccount.set(h.accountId, h);
  }
  return [...byAccount.values()];
}

const isOlder = (a: Pick<Hunt, 'createdAt' | 'id'>, b: Pick<Hunt, 'createdAt' | 'id'>) =>
  compareAge(a.createdAt.getTime(), a.id, b.createdAt.getTime(), b.id) < 0;
