// Hunts read in bulk (the matcher's index) share their repeated strings.
//
// Why: hunts repeat the same few strings (an account's id in each of its hunts, one message template in
// thousands of hunts, the ad type, brands, cities, and empty lists); each decoded row holds its own
// copies, and the index keeps them for as long as the hunt is active. One pool per read shares them.
import type { Hunt } from '../../domain/types.js';

const NONE: string[] = [];

/** Returns one shared copy of each distinct string (and one shared empty list) it is given. */
export function stringPool() {
  const strings = new Map<string, string>();
  const one = (s: string): string => {
    const held = strings.get(s);
    if (held !== undefined) return held;
    strings.set(s, s);
    return s;
  };
  return {
    one,
    list: <T extends string>(values: T[]): T[] => (values.length === 0 ? (NONE as T[]) : (values.map(one) as T[])),
  };
}
export type StringPool = ReturnType<typeof stringPool>;

/** Points a freshly read hunt's strings at the pool's copies, and returns it. */
export function shareStrings<H extends Hunt>(h: H, pool: StringPool): H {
  h.accountId = pool.one(h.accountId);
  h.name = pool.one(h.name);
  h.adType = pool.one(h.adType);
  h.subTypes = pool.list(h.subTypes);
  h.brands = pool.list(h.brands);
  h.location.label = pool.one(h.location.label);
  h.location.zipcode = pool.one(h.location.zipcode);
  h.ownerTypes = pool.list(h.ownerTypes);
  h.keywords = pool.list(h.keywords);
  h.excludedKeywords = pool.list(h.excludedKeywords);
  if (h.outreach?.template !== undefined) h.outreach.template = pool.one(h.outreach.template);
  if (h.outreach?.contentSid !== undefined) h.outreach.contentSid = pool.one(h.outreach.contentSid);
  return h;
}
