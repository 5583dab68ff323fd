// Whether an error says that the database or the broker is unavailable, rather than that the request
// or the event is at fault. The consumer pipeline retries such failures instead of dead-lettering
// (src/consumers/pipeline/failures.ts); the HTTP API answers them 503 with Retry-After instead of 500
// (src/http/app.ts). One classification for both, so that an outage is an outage everywhere.
import { UnacknowledgedSendError } from './kafka.js';

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ENOTCONN',
]);
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

export type UnavailableDependency = 'database' | 'broker';

/**
 * Which dependency the error, or anything it wraps, says is unavailable, or undefined when it says
 * nothing of the kind. Every kafkajs error counts as the broker's: where this service meets one (a
 * consumer's handling, the console's admin calls), "number of retries exceeded" says kafkajs gave up,
 * not that the broker is healthy.
 */
export function unavailableDependency(error: unknown): UnavailableDependency | undefined {
  let found: UnavailableDependency | undefined;
  for (const e of chain(error)) {
    if (e.name.startsWith('KafkaJS') || e instanceof UnacknowledgedSendError) return 'broker';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_PG_CLASSES.test(code) || TRANSIENT_NODE_CODES.has(code)))
      found = 'database';
    else if (e.name === 'KnexTimeoutError' || e.name === 'TimeoutError') found = 'database';
    else if (CONNECTION_MESSAGES.test(e.message)) found = 'database';
  }
  return found;
}

/** True when the error, or anything it wraps, says the database or the broker is unavailable. */
export const isInfrastructureFailure = (error: unknown): boolean => unavailableDependency(error) !== undefined;
