// One normalisation for ads and hunts alike: case, accents and punctuation do not matter, so
// "Mercedes-Benz", "mercedes benz" and "MERCÉDÈS  benz!" are the same brand.
const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss' };

export function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[œæß]/g, (c) => LIGATURES[c]!)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export const normalizeBrand = normalizeText;
