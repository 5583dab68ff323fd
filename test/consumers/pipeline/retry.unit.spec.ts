import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../../src/consumers/pipeline/consumedEvent.js';
import { PoisonEventError, TransientError } from '../../../src/consumers/pipeline/failures.js';
import { PoisonFailure, retryTransient } from '../../../src/consumers/pipeline/retry.js';
import { consumedHuntChanged, handlerContext } from '../../../testkit/pipelineFixtures.js';

const fast = { backoff: { baseMs: 1, maxMs: 2 } };

describe('retryTransient', () => {
  it('retries a transient failure in place until it passes, heartbeating while it waits', async () => {
    let calls = 0;
    const retries: number[] = [];
    const events = [consumedHuntChanged(1)];
    const apply = retryTransient(
      async (e) => {
        if (++calls < 3) throw new TransientError('database briefly unavailable');
        return e;
      },
      { ...fast, onRetry: (i) => retries.push(i.attempt) },
    );
    const ctx = handlerContext();
    expect(await apply(events, ctx)).toEqual(events);
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(ctx.heartbeats).toBeGreaterThan(0);
  });

  it('turns a poison failure into a PoisonFailure at once, keeping the cause', async () => {
    let calls = 0;
    const cause = new PoisonEventError('cursed');
    const apply = retryTransient(async () => {
      calls++;
      throw cause;
    }, fast);
    const error = await apply([consumedHuntChanged(1)], handlerContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoisonFailure);
    expect((error as PoisonFailure).cause).toBe(cause);
    expect(calls).toBe(1);
  });

  it('gives a conflict a bounded number of tries, then calls it poison', async () => {
    let calls = 0;
    const apply = retryTransient(
      async () => {
        calls++;
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      },
      { ...fast, maxConflicts: 3 },
    );
    await expect(apply([consumedHuntChanged(1)], handlerContext())).rejects.toBeInstanceOf(PoisonFailure);
    expect(calls).toBe(4);
  });

  it('stops retrying when the consumer stops, without calling it poison', async () => {
    let running = true;
    const apply = retryTransient(async () => {
      running = false;
      throw new TransientError('down');
    }, fast);
    await expect(apply([consumedHuntChanged(1)], handlerContext({ isRunning: () => running }))).rejects.toBeInstanceOf(
      Interrupted,
    );
  });

  it("passes on a handler's Interrupted (long work stopping halfway) at once: no retry, nothing reported as a failure", async () => {
    let calls = 0;
    const retries: unknown[] = [];
    const apply = retryTransient(
      async () => {
        calls++;
        throw new Interrupted();
      },
      { ...fast, onRetry: (i) => retries.push(i) },
    );
    await expect(apply([consumedHuntChanged(1)], handlerContext())).rejects.toBeInstanceOf(Interrupted);
    expect(calls).toBe(1);
    expect(retries).toEqual([]);
  });
});
