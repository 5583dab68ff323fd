// The small taxonomy of answers the service gives to bad requests, each with a code (emmett's
// lesson). Thrown anywhere below the HTTP edge; mapped to a status in one place (src/http/app.ts).
export type DomainErrorCode = 'validation_failed' | 'not_found' | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Input that can never be accepted; `field` names it as a path (body/ads/3/price). */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('validation_failed', `${field} ${problem}`, { field });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}
