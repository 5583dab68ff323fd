// HTTP statuses for the domain's error taxonomy (src/domain/errors.ts), and the one error only the
// HTTP edge knows: a missing or wrong token.
import type { DomainErrorCode } from '../domain/errors.js';

export const STATUS_OF: Record<DomainErrorCode, number> = { validation_failed: 400, not_found: 404, conflict: 409 };

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
  constructor() {
    super('unauthorized');
    this.name = 'UnauthorizedError';
  }
}

/** A callback whose signature does not match (Twilio's X-Twilio-Signature): 403, nothing recorded. */
export class ForbiddenError extends Error {
  readonly statusCode = 403;
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * Retry-After of a 503 while the database or the broker is unavailable: a server restart or a
 * failover lasts seconds, so a client that honours it comes back soon without hammering.
 */
export const RETRY_AFTER_SECONDS = 2;
