// LeBonCoin's brands per ad type (leboncoinBrands.json, which names its sources): what a hunt's brands
// are checked against, so that a typo ("Pegeot") is refused with the closest brand at once, instead of
// being saved and matching nothing, ever. Brands are compared as the matcher compares them
// (normalizeBrand: case, accents and punctuation aside), so "PEUGEOT" and "citroën" are known.
import { closest, distance } from 'fastest-levenshtein';
import lists from './leboncoinBrands.json' with { type: 'json' };
import { normalizeBrand } from './normalize.js';

export type BrandVerdict = { known: true } | { known: false; suggestion: string | null };

interface BrandList {
  /** Normalised brand -> the brand as the list writes it. */
  byKey: Map<string, string>;
  keys: string[];
}

function brandList(...names: string[][]): BrandList {
  const byKey = new Map(names.flat().map((name) => [normalizeBrand(name), name]));
  return { byKey, keys: [...byKey.keys()] };
}

const BRANDS: Record<string, BrandList | undefined> = {
  voitures: brandList(lists.voitures.brands, lists.voitures.addedSince.brands),
  motos: brandList(lists.motos.brands),
};

/** The ad types whose brands are checked (the others take any brand). */
export const CHECKED_AD_TYPES = Object.keys(BRANDS);

/**
 * Whether LeBonCoin knows `brand` for `adType` (always, for an ad type whose brands are not checked),
 * and if not, the closest brand it knows when one is close enough to be a typo of it.
 */
export function checkBrand(adType: string, brand: string): BrandVerdict {
  const list = BRANDS[adType];
  const key = normalizeBrand(brand);
  if (!list || list.byKey.has(key)) return { known: true };
  const nearest = closest(key, list.keys);
  // A typo is a letter or two, a third of a long name at most: beyond that it is another word.
  const close = distance(key, nearest) <= Math.max(2, Math.floor(key.length / 3));
  return { known: false, suggestion: close ? list.byKey.get(nearest)! : null };
}
