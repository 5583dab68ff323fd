// Failure taxonomy of the consumer pipeline (kafkajs' lesson: errors say whether to retry).
//   transient: the database or broker is unavailable; retried with backoff for as long as it takes,
//              holding the partition so that order is kept;
//   conflict:  a serialization failure, deadlock or race on a unique key, or a handler's WriteConflict;
//              retried a bounded number of times;
//   poison:    the event itself is at fault (undecodable, schema-invalid, a handler's non-retriable
//              error, a programming error); sent to the dead-letter topic, and the pipeline moves on.
// Which failures say the database or the broker is unavailable is shared with the HTTP API (503, not 500).
import { isInfrastructureFailure } from '../../platform/infrastructureFailure.js';

export type FailureKind = 'transient' | 'conflict' | 'poison';

/** Thrown by handlers for an event they can never apply. */
export class PoisonEventError extends Error {
  override readonly name = 'PoisonEventError';
  readonly retriable = false;
}

/** Thrown by handlers for a condition that will pass (a peer is down, a lock is busy). */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly retriable = true;
}

/**
 * Thrown by handlers that found a concurrent writer got there first: applying again will see it.
 * (Not the domain's ConflictError, a request in conflict with the state: an HTTP 409.)
 */
export class WriteConflict extends Error {
  override readonly name = 'WriteConflict';
  readonly retriable = true;
}

const CONFLICT_PG_CODES = new Set(['40001', '40P01', '23505', '55P03']);

export function classify(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'poison';
  if (error instanceof WriteConflict) return 'conflict';
  if (error instanceof PoisonEventError) return 'poison';
  // Before the programming errors: a TypeError thrown by a driver on a closed socket is an outage.
  if (isInfrastructureFailure(error)) return 'transient';
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  )
    return 'poison';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONFLICT_PG_CODES.has(code)) return 'conflict';
  if ((error as { retriable?: unknown }).retriable === true) return 'transient';
  return 'poison';
}

export const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
