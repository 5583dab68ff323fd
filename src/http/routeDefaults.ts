// What every route gets from one place rather than from each route file: its body limit, chosen by
// its URL, and the two errors any route may answer whatever it does, documented in its schema (so that
// /openapi.json tells them, and HTTP_VALIDATE_RESPONSES accepts them): 413 above its body limit, and
// 503 with Retry-After while the database or the broker it needs is unavailable.
import { errors } from './schemas.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface BodyLimit {
  /** The route's URL as registered (`/v1/ads`), or a prefix ending with `/` for a family of routes. */
  url: string;
  bytes: number;
  why: string;
}

export const BODY_LIMITS: readonly BodyLimit[] = [
  {
    url: '/v1/ads',
    bytes: 16 * MiB,
    why:
      '1,000 ads (the most a request may carry) of up to 16 KiB of JSON each: a rich LeBonCoin ad (a 4,000-character ' +
      'description with accents, 30 pictures, every field) is about 8 KiB',
  },
  ...['/v1/lobstr/webhook/', '/v1/gateway/webhook/', '/v1/providers/'].map((url) => ({
    url,
    bytes: 32 * KiB,
    why:
      "callbacks of peers we know: Lobstr's notification is a few hundred bytes; Twilio's inbound post, the largest, " +
      'carries a body of up to 1,600 characters form-encoded (at worst 9 bytes a character once percent-encoded: 14.4 kB) ' +
      'with up to 10 media URLs and some 40 other parameters (about 3.6 kB): 18,033 bytes at the widest',
  })),
];

/** Every other route: bodies of a few fields (hunts, opt-outs, ticks, the console's requests). */
export const DEFAULT_BODY_LIMIT = 1 * MiB;

export function bodyLimitOf(url: string): number {
  return (
    BODY_LIMITS.find((l) => (l.url.endsWith('/') ? url.startsWith(l.url) : url === l.url))?.bytes ?? DEFAULT_BODY_LIMIT
  );
}

/** 16 MiB, 32 KiB, 1500 bytes. */
export const formatBytes = (bytes: number) =>
  bytes >= MiB && bytes % MiB === 0
    ? `${bytes / MiB} MiB`
    : bytes >= KiB && bytes % KiB === 0
      ? `${bytes / KiB} KiB`
      : `${bytes} bytes`;

const HAS_NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The documented errors every route may answer besides its own: 503 on the API's routes (each needs
 * the database, or the broker for the console's dead letters), 413 on every method that takes a body.
 */
export function sharedErrors(route: { method: string | string[]; url: string }): Record<number, unknown> {
  const methods = [route.method].flat();
  const codes: Array<413 | 503> = [];
  if (methods.some((m) => !HAS_NO_BODY.has(m.toUpperCase()))) codes.push(413);
  if (route.url.startsWith('/v1/')) codes.push(503);
  return errors(...codes);
}
