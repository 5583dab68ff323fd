// The table of what a provider's error code does to a message is one table: the code's
// (src/providers/failureCodes.ts) and the users' (docs/providers.md), row for row.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectOf, FAILURE_CODES, type CodeEffect } from '../../src/providers/failureCodes.js';

/** How docs/providers.md writes an effect. */
export const effectText = (e: CodeEffect) =>
  e.effect === 'later'
    ? 'tried once more in a later contact window, then `undeliverable`'
    : e.effect === 'hold'
      ? `sending held (${e.scope === 'provider' ? 'the provider, every account' : "the account's own sender, else the provider"}): \`${e.reason}\``
      : `message failed: \`${e.reason}\`${e.smsFallback ? ', SMS fallback' : ''}`;

export const rowOf = (c: (typeof FAILURE_CODES)[number]) =>
  `| ${c.provider} | \`${c.code}\` | ${c.meaning} | ${effectText(c.effect)} |`;

describe('the error-code table', () => {
  it('is the same in docs/providers.md as in the code, row for row', () => {
    const doc = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| (twilio|brevo) \| `/.test(l));
    expect(rows).toEqual(FAILURE_CODES.map(rowOf));
  });

  it('takes any final code it does not name for undeliverable', () => {
    expect(effectOf('twilio', '30010')).toEqual({ effect: 'fail', reason: 'undeliverable', smsFallback: false });
    expect(effectOf('brevo', null)).toEqual({ effect: 'fail', reason: 'undeliverable', smsFallback: false });
    expect(effectOf('twilio', '63016')).toEqual({ effect: 'fail', reason: 'undeliverable', smsFallback: true });
  });
});
