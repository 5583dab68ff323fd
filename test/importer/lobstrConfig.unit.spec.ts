import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { BASE_ENV, configProblems as problems } from '../../testkit/configProblems.js';

const base = BASE_ENV;

describe("the importer's Lobstr configuration", () => {
  it('reconciles no squid by default, every 10 minutes over 7 days when it does, at 2 requests a second', () => {
    expect(loadConfig(base).lobstr).toMatchObject({
      squids: [],
      reconcileEveryMs: 600_000,
      reconcileLookbackDays: 7,
      requestsPerSecond: 2,
    });
  });

  it('reads LOBSTR_SQUIDS as a comma-separated list, spaces and repeats aside', () => {
    const c = loadConfig({
      ...base,
      LOBSTR_SQUIDS:
        ' e445405ef4ab41208ef7d29b92a1a9dd, 8177beb16fdf4e0e8d4b2ba767d1ffb5,,e445405ef4ab41208ef7d29b92a1a9dd ',
    });
    expect(c.lobstr.squids).toEqual(['e445405ef4ab41208ef7d29b92a1a9dd', '8177beb16fdf4e0e8d4b2ba767d1ffb5']);
  });

  it('names LOBSTR_SQUIDS, LOBSTR_RECONCILE_EVERY_MS and LOBSTR_RECONCILE_LOOKBACK_DAYS when they are wrong', () => {
    expect(problems({ ...base, LOBSTR_SQUIDS: 'abc, not a squid' })).toEqual([
      expect.stringMatching(/^LOBSTR_SQUIDS must be a comma-separated list of Lobstr squid ids/),
    ]);
    expect(problems({ ...base, LOBSTR_RECONCILE_EVERY_MS: 'ten minutes' })).toEqual([
      expect.stringMatching(/^LOBSTR_RECONCILE_EVERY_MS must be an integer/),
    ]);
    expect(problems({ ...base, LOBSTR_RECONCILE_EVERY_MS: '10' })).toEqual([
      expect.stringMatching(/^LOBSTR_RECONCILE_EVERY_MS .*1000/),
    ]);
    expect(problems({ ...base, LOBSTR_RECONCILE_LOOKBACK_DAYS: '0' })).toEqual([
      expect.stringMatching(/^LOBSTR_RECONCILE_LOOKBACK_DAYS /),
    ]);
  });

  it('tells Lobstr which importer asks, by User-Agent', () => {
    expect(loadConfig({ ...base, INSTANCE_ID: 'importer-2' }).lobstr.userAgent).toBe('hunt-matcher (importer-2)');
  });
});
