// Failure taxonomy of the consumer pipeline (kafkajs' lesson: errors say whether to retry).
//   transient: the database or broker is unavailable; retried with backoff for as long as it takes,
//              holding the partition so that order is kept;
//   conflict:  a serialization failure, deadlock or race on a unique key, or a handler's WriteConflict;
//              retried a bounded number of times;
//   poison:    the event itself is at fault (undecodable, schema-invalid, a handler's non-retriable
//              error, a programming error); sent to the dead-letter topic, and the pipeline moves on.
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

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ENOTCONN']);
const CONFLICT_PG_CODES = new Set(['40001', '40P01', '23505', '55P03']);
/**
 * PostgreSQL SQLSTATE classes that say the server, not the statement, is at fault: connection
 * exception (08), insufficient resources (53), operator intervention (57: shutdown, terminated backend,
 * cancelled statement), system error (58).
 */
const TRANSIENT_PG_CLASSES = /^(08|53|57|58)[0-9A-Z]{3}$/;
/**
 * What pg, pg-pool and knex say, without a SQLSTATE, when the connection is gone: e.g. knex's
 * "ROLLBACK - Client has encountered a connection error and is not queryable" after a restart.
 */
const CONNECTION_MESSAGES =
  /Connection terminated|not queryable|Client was closed|Connection ended|server closed the connection|terminating connection|the database system is (?:starting up|shutting down|not yet accepting connections|in recovery mode)|timeout exceeded when trying to connect|Timeout acquiring a connection|connect ECONNREFUSED|read ECONNRESET|write EPIPE|socket hang up|Knex: Timeout/i;

/** The error and what it wraps (cause chains, AggregateError), outermost first. */
function* chain(error: unknown, depth = 0): Generator<Error> {
  if (!(error instanceof Error) || depth > 8) return;
  yield error;
  const e = error as Error & { cause?: unknown; errors?: unknown[]; originalError?: unknown };
  if (e.cause) yield* chain(e.cause, depth + 1);
  if (e.originalError) yield* chain(e.originalError, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** True when the error, or anything it wraps, says the database or the broker is unavailable. */
export function isInfrastructureFailure(error: unknown): boolean {
  for (const e of chain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_PG_CLASSES.test(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    if (e.name === 'KnexTimeoutError' || e.name === 'TimeoutError') return true;
    // Every kafkajs error met while handling an event is the broker's (handlers produce through the
    // outbox): "number of retries exceeded" says it is not retriable, but the outage is.
    if (e.name.startsWith('KafkaJS')) return true;
    if (CONNECTION_MESSAGES.test(e.message)) return true;
  }
  return false;
}

export function classify(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'poison';
  if (error instanceof WriteConflict) return 'conflict';
  if (error instanceof PoisonEventError) return 'poison';
  // Before the programming errors: a TypeError thrown by a driver on a closed socket is an outage.
  if (isInfrastructureFailure(error)) return 'transient';
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError) return 'poison';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONFLICT_PG_CODES.has(code)) return 'conflict';
  if ((error as { retriable?: unknown }).retriable === true) return 'transient';
  return 'poison';
}

export const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
