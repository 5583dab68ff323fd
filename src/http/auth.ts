// Who is calling. Tokens come as `Authorization: Bearer <token>`, exactly as RFC 6750 (section 2.1)
// writes it: the scheme, one space, a b64token, nothing after; anything else is a bare 401. Secrets are
// compared in constant time. Two kinds of caller reach the account-scoped routes: the service-wide admin
// token (API_TOKEN) and an account's API key, which reaches only its own account (another account's
// resources answer 404, exactly as missing ones).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/knex.js';
import { NotFoundError } from '../domain/errors.js';
import { useApiKey } from '../sql/accounts/apiKeys.js';
import { UnauthorizedError } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison that does not leak the secret's length either. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** RFC 6750 b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="; the scheme is case-insensitive (RFC 7235). */
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-._~+/]+=*)$/;

/** The token of an `Authorization` header written as RFC 6750 says, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/** RFC 7617 Basic credentials: "Basic <base64 of user:password>". */
const BASIC = /^[Bb][Aa][Ss][Ii][Cc] ([A-Za-z0-9+/]+=*)$/;

/** The password of an `Authorization: Basic` header (a webhook URL written https://user:password@host/…), or undefined. */
export function basicPassword(header: string | undefined): string | undefined {
  const encoded = header ? BASIC.exec(header)?.[1] : undefined;
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** An onRequest hook (it runs before the body is parsed or validated) that accepts one token and refuses anything else with a bare 401. */
export function requireBearer(token: string | undefined) {
  return async (request: FastifyRequest) => {
    const given = bearerToken(request.headers.authorization);
    if (!token || !given || !secretsEqual(given, token)) throw new UnauthorizedError();
  };
}

/**
 * For a webhook whose caller cannot send headers of our choosing: the secret is the last path segment
 * (`:secret`), checked in constant time before the body is even parsed, so a stranger learns nothing.
 * Unset, every call is refused.
 */
export function requirePathSecret(expected: string | undefined) {
  return async (request: FastifyRequest) => {
    const { secret } = request.params as { secret?: string };
    if (!expected || secret === undefined || !secretsEqual(secret, expected)) throw new UnauthorizedError();
  };
}

export type Principal = { kind: 'admin' } | { kind: 'account'; accountId: string; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const API_KEY_PREFIX = 'hm_live_';

/** A new account key (shown once), its hash (stored) and the prefix that identifies it in listings. */
export function newApiKey(): { key: string; hash: Buffer; prefix: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: digest(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6) };
}

/** An onRequest hook for the account-scoped routes: the admin token or an account's key; sets request.principal. */
export function requireAccountAccess(deps: { db: Db; apiToken: string | undefined }) {
  return async (request: FastifyRequest) => {
    const given = bearerToken(request.headers.authorization);
    if (!given) throw new UnauthorizedError();
    if (deps.apiToken && secretsEqual(given, deps.apiToken)) {
      request.principal = { kind: 'admin' };
      return;
    }
    if (!given.startsWith(API_KEY_PREFIX)) throw new UnauthorizedError();
    const key = await useApiKey(deps.db, digest(given));
    if (!key) throw new UnauthorizedError();
    request.principal = { kind: 'account', accountId: key.accountId, keyId: key.id };
  };
}

/** The account a caller is limited to, or undefined for the admin. */
export const scopeOf = (request: FastifyRequest): string | undefined =>
  request.principal?.kind === 'account' ? request.principal.accountId : undefined;

/** Throws the same 404 as a missing resource when the caller's key belongs to another account. */
export function assertAccountVisible(request: FastifyRequest, accountId: string, what: string) {
  const scope = scopeOf(request);
  if (scope !== undefined && scope !== accountId) throw new NotFoundError(what);
}
