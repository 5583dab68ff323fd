// What Lobstr's rate-limit headers ask of the importers, as numbers. Pure. Lobstr documents them at
// https://docs.lobstr.io/docs/rate-limiting: every answer may carry X-RateLimit-Limit (requests per
// window), X-RateLimit-Remaining (left in the current window) and X-RateLimit-Reset (a UNIX timestamp,
// when the window resets); a 429 carries Retry-After (seconds). Lobstr warns that repeated 429s can get
// the caller's address blocked: the point is to slow down before the limit, not after.

/** Retry-After as milliseconds from now: seconds ("1", "2.5") or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** X-RateLimit-Reset as epoch milliseconds: epoch seconds, epoch milliseconds, or seconds from now (small values). */
export function resetAtMs(value: string | null, nowMs: number): number | null {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  const n = Number(value);
  if (n >= 1e12) return n;
  if (n >= 1e9) return n * 1000;
  return nowMs + n * 1000;
}

/**
 * How long no request of this key may leave, from now, for what the window has left to last until it
 * resets: nothing left, wait for the reset (a second when Lobstr does not say when); some left, spread
 * it over the rest of the window. 0 when the headers ask nothing (or are absent). Capped at `maxMs`: a
 * clock far off, or a reset hours away, is not waited out blindly.
 */
export function rateLimitPauseMs(
  headers: { remaining: string | null; reset: string | null },
  nowMs: number,
  maxMs = 60_000,
): number {
  if (headers.remaining === null || !/^\s*-?\d+\s*$/.test(headers.remaining)) return 0;
  const remaining = Number(headers.remaining);
  const reset = resetAtMs(headers.reset, nowMs);
  const untilReset = reset === null ? null : Math.max(0, reset - nowMs);
  if (remaining <= 0) return Math.min(maxMs, untilReset ?? 1000);
  if (untilReset === null) return 0;
  return Math.min(maxMs, Math.floor(untilReset / remaining));
}
