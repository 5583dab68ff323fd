import { describe, expect, it } from 'vitest';
import { rateLimitPauseMs, resetAtMs, retryAfterMs } from '../../src/importer/rateLimitHeaders.js';

const now = Date.UTC(2026, 11, 2, 9, 0, 0);
const inSeconds = (s: number) => String(Math.round(now / 1000) + s);

describe("reading Lobstr's rate-limit headers", () => {
  it('reads Retry-After in seconds or as an HTTP date, and nothing else', () => {
    expect(retryAfterMs('1', now)).toBe(1000);
    expect(retryAfterMs('2.5', now)).toBe(2500);
    expect(retryAfterMs(new Date(now + 3000).toUTCString(), now)).toBe(3000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-1', now)).toBeNull();
  });

  it('reads X-RateLimit-Reset as a UNIX timestamp in seconds or milliseconds, or seconds from now', () => {
    expect(resetAtMs(inSeconds(30), now)).toBe(now + 30_000);
    expect(resetAtMs(String(now + 30_000), now)).toBe(now + 30_000);
    expect(resetAtMs('30', now)).toBe(now + 30_000);
    expect(resetAtMs('tomorrow', now)).toBeNull();
  });

  it('waits for the reset when nothing is left in the window, a second when Lobstr does not say when', () => {
    expect(rateLimitPauseMs({ remaining: '0', reset: inSeconds(20) }, now)).toBe(20_000);
    expect(rateLimitPauseMs({ remaining: '0', reset: null }, now)).toBe(1000);
  });

  it('spreads what is left over the rest of the window, so the limit is never reached', () => {
    expect(rateLimitPauseMs({ remaining: '4', reset: inSeconds(20) }, now)).toBe(5000);
    // Plenty left: the usual spacing is slower than that, nothing more to wait.
    expect(rateLimitPauseMs({ remaining: '118', reset: inSeconds(59) }, now)).toBe(500);
  });

  it('asks nothing without the headers, and never waits blindly for a reset hours away', () => {
    expect(rateLimitPauseMs({ remaining: null, reset: inSeconds(20) }, now)).toBe(0);
    expect(rateLimitPauseMs({ remaining: '5', reset: null }, now)).toBe(0);
    expect(rateLimitPauseMs({ remaining: 'many', reset: null }, now)).toBe(0);
    expect(rateLimitPauseMs({ remaining: '0', reset: inSeconds(7200) }, now)).toBe(60_000);
  });
});
