// Layer: retry what will pass, in place. A transient failure (the database or broker unavailable)
// is retried with backoff for as long as it takes, holding the partition so that order is kept; a
// conflict (serialization failure, deadlock, a race on a unique key) a bounded number of times.
// What will not pass leaves as a PoisonFailure, for the poison layer to deal with.
import type { EventType } from '../../events/schemas.js';
import { backoffDelay, waitWhile } from '../../platform/retry.js';
import type { Apply } from './consumedEvent.js';
import { Interrupted } from './consumedEvent.js';
import { classify, type FailureKind } from './failures.js';

/** A failure that retrying will not fix; `cause` is what the handler threw. */
export class PoisonFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('poison', { cause });
    this.name = 'PoisonFailure';
  }
}

export interface RetryOptions {
  maxConflicts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Told about every retry (metrics, logs). */
  onRetry?(info: {
    error: unknown;
    kind: FailureKind;
    attempt: number;
    retryInMs: number;
    topic: string;
    offset: string;
  }): void;
  /** How errors are classified (the default knows pg, knex, kafkajs and Node's network errors). */
  classify?: (error: unknown) => FailureKind;
}

export function retryTransient<K extends EventType>(apply: Apply<K>, options: RetryOptions = {}): Apply<K> {
  const maxConflicts = options.maxConflicts ?? 10;
  const backoff = options.backoff ?? { baseMs: 200, maxMs: 30_000 };
  const kindOf = options.classify ?? classify;
  return async (events, ctx) => {
    let conflicts = 0;
    for (let attempt = 1; ; attempt++) {
      if (!ctx.isRunning()) throw new Interrupted();
      try {
        return await apply(events, ctx);
      } catch (error) {
        if (error instanceof Interrupted) throw error;
        let kind = kindOf(error);
        if (kind === 'conflict' && ++conflicts > maxConflicts) kind = 'poison';
        if (kind === 'poison') throw new PoisonFailure(error);
        const retryInMs = backoffDelay(attempt, backoff);
        options.onRetry?.({
          error,
          kind,
          attempt,
          retryInMs,
          topic: events[0]?.topic ?? '?',
          offset: events[0]?.offset ?? '?',
        });
        await waitWhile(retryInMs, { keepWaiting: ctx.isRunning, tick: ctx.heartbeat });
      }
    }
  };
}
