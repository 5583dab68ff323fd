import { describe, expect, it } from 'vitest';
import { findIllFormedText } from '../../src/http/wellFormedText.js';

describe('findIllFormedText', () => {
  it('names the first string with a NUL or an unpaired surrogate, keys included', () => {
    expect(findIllFormedText({ ads: [{ title: 'ok' }, { title: 'a\u0000b' }] }, 'body')).toBe('body/ads/1/title');
    expect(findIllFormedText({ description: 'x\ud800y' }, 'body')).toBe('body/description');
    expect(findIllFormedText({ description: 'end\udc00' }, 'body')).toBe('body/description');
    expect(findIllFormedText({ ['k\u0000']: 1 }, 'body')).toBe('body/k?');
    expect(findIllFormedText('\ud800', 'params')).toBe('params');
  });

  it('lets well-formed text through, surrogate pairs (emoji) included', () => {
    expect(
      findIllFormedText({ title: 'Peugeot 308 🚗 très bon état', tags: ['😀', 'é'], n: 3, nothing: null }, 'body'),
    ).toBeUndefined();
  });
});
