// Text PostgreSQL cannot store, refused at the door: a NUL character (text and jsonb reject \u0000)
// or a lone UTF-16 surrogate (not a Unicode character; jsonb rejects \ud800). Anywhere in a request's
// body, query string or path, keys included: the first one found is named as the field at fault.

/** The path of the first ill-formed string in `value` (e.g. "body/ads/3/title"), or undefined. */
export function findIllFormedText(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIllFormedText(value[i], `${path}/${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    // eslint-disable-next-line no-control-regex -- finding NUL is the point
    if (!isWellFormed(key)) return `${path}/${key.replace(/[\u0000\ud800-\udfff]/g, '?')}`;
    const found = findIllFormedText(inner, `${path}/${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const ILL_FORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isWellFormed = (s: string) => !ILL_FORMED.test(s);
