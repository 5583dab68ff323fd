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
