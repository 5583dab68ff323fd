// Layer: isolate the poison event, and only the poison event. When a batch fails for good, its events
// are applied one by one, so that the good ones still go through and only the culprit goes to the
// dead-letter topic, with the reason in its headers (watermill's poison queue). It errs on the safe side:
//   - an event is poison only if it fails again when retried on its own while the database and the
//     broker answer (the probe); while they do not, it is an outage: the layer waits and tries again;
//   - when every event of a batch fails on its own, nothing is dead-lettered: a failure that no event
//     escapes is the handler's or the infrastructure's, not the events'. The batch is held and retried,
//     loudly, until it passes (a fix, a recovery) or some events succeed.
import type { EventType } from '../../events/schemas.js';
import { backoffDelay, waitWhile } from '../../platform/retry.js';
import type { Apply, ConsumedEvent, HandlerContext } from './consumedEvent.js';
import { Interrupted } from './consumedEvent.js';
import { describeError } from './failures.js';
import { PoisonFailure } from './retry.js';

/** Sends an event to its dead-letter topic, with the reason (src/consumers/pipeline/deadLetter.ts). Not src/ops' DeadLetter, a record an operator reads. */
export type SendToDeadLetters = (
  event: Pick<ConsumedEvent, 'topic' | 'partition' | 'raw'>,
  reason: string,
  error: unknown,
) => Promise<void>;

export interface PoisonOptions {
  /** Resolves true when the database and the broker answer. */
  probe?: () => Promise<boolean>;
  /** Tries of an event on its own before it can be called poison (the first included). */
  attempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Told when the layer waits (an outage, or a batch that fails whole). */
  onHold?(info: { reason: string; error: unknown; retryInMs: number }): void;
}

export function isolatePoison<K extends EventType>(
  apply: Apply<K>,
  deadLetter: SendToDeadLetters,
  options: PoisonOptions = {},
): Apply<K> {
  const backoff = options.backoff ?? { baseMs: 200, maxMs: 30_000 };
  const alone: TriesAlone<K> = {
    apply,
    attempts: options.attempts ?? 3,
    probe: options.probe ?? (async () => true),
    wait: (ctx, round, reason, error) => holdPartition(options, backoff, ctx, round, reason, error),
  };

  return async (events, ctx) => {
    for (let round = 1; ; round++) {
      try {
        return await apply(events, ctx);
      } catch (error) {
        if (!(error instanceof PoisonFailure)) throw error;
      }
      const { applied, failed, succeeded } = await applyOneByOne(alone, events, ctx);
      if (failed.length === 0) return applied;
      if (succeeded === 0 && events.length > 1) {
        // Nothing escapes the failure: hold the batch (what succeeded alone is committed already).
        await alone.wait(
          ctx,
          round,
          `every event of a batch of ${events.length} fails: holding the partition (an outage, or a handler bug?)`,
          failed[0]!.failure.cause,
        );
        continue;
      }
      for (const { event, failure } of failed) await deadLetter(event, 'handler-failed', failure.cause);
      return applied;
    }
  };
}

/** How an event is tried on its own. */
interface TriesAlone<K extends EventType> {
  apply: Apply<K>;
  attempts: number;
  probe: () => Promise<boolean>;
  wait: (ctx: HandlerContext, round: number, reason: string, error: unknown) => Promise<void>;
}

/** Applies the events of a failed batch one by one: what they applied, the ones that failed for good. */
async function applyOneByOne<K extends EventType>(
  alone: TriesAlone<K>,
  events: Array<ConsumedEvent<K>>,
  ctx: HandlerContext,
): Promise<{
  applied: Array<ConsumedEvent<K>>;
  failed: Array<{ event: ConsumedEvent<K>; failure: PoisonFailure }>;
  succeeded: number;
}> {
  const applied: Array<ConsumedEvent<K>> = [];
  const failed: Array<{ event: ConsumedEvent<K>; failure: PoisonFailure }> = [];
  let succeeded = 0;
  for (const event of events) {
    const r = await applyAlone(alone, event, ctx);
    if ('failure' in r) failed.push({ event, failure: r.failure });
    else {
      succeeded++;
      applied.push(...r.applied);
    }
  }
  return { applied, failed, succeeded };
}

/** Applies one event; returns the PoisonFailure it keeps failing with while the infrastructure answers. */
async function applyAlone<K extends EventType>(
  alone: TriesAlone<K>,
  event: ConsumedEvent<K>,
  ctx: HandlerContext,
): Promise<{ applied: Array<ConsumedEvent<K>> } | { failure: PoisonFailure }> {
  let failure: PoisonFailure | undefined;
  for (let round = 1, tries = 0; ; round++) {
    try {
      return { applied: await alone.apply([event], ctx) };
    } catch (error) {
      if (!(error instanceof PoisonFailure)) throw error;
      failure = error;
    }
    if (!(await alone.probe().catch(() => false))) {
      await alone.wait(
        ctx,
        round,
        'the database or the broker does not answer: an outage, not a poison event',
        failure.cause,
      );
      continue;
    }
    if (++tries >= alone.attempts) return { failure };
    await alone.wait(
      ctx,
      round,
      `event at offset ${event.offset} failed (${tries}/${alone.attempts}): ${describeError(failure.cause)}`,
      failure.cause,
    );
  }
}

/** Waits before the next round, the partition held (reported through onHold); Interrupted once stopping. */
async function holdPartition(
  options: PoisonOptions,
  backoff: { baseMs: number; maxMs: number },
  ctx: HandlerContext,
  round: number,
  reason: string,
  error: unknown,
) {
  const retryInMs = backoffDelay(round, backoff);
  options.onHold?.({ reason, error, retryInMs });
  await waitWhile(retryInMs, { keepWaiting: ctx.isRunning, tick: ctx.heartbeat });
  if (!ctx.isRunning()) throw new Interrupted();
}
