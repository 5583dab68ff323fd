import { describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../../src/consumers/pipeline/consumedEvent.js';
import { Interrupted } from '../../../src/consumers/pipeline/consumedEvent.js';
import { isolatePoison } from '../../../src/consumers/pipeline/poison.js';
import { PoisonFailure } from '../../../src/consumers/pipeline/retry.js';
import { consumedHuntChanged, handlerContext } from '../../../testkit/pipelineFixtures.js';

describe('isolatePoison', () => {
  it('applies the events of a failing batch one by one and dead-letters only the culprit, with its cause', async () => {
    const events = [consumedHuntChanged(1), consumedHuntChanged(2), consumedHuntChanged(3)];
    const cause = new Error('version 2 is cursed');
    const applied: number[][] = [];
    const dead: Array<{ offset: string; reason: string; error: unknown }> = [];
    const apply = isolatePoison<'HuntChanged'>(
      async (batch) => {
        if (batch.some((e) => e.value.version === 2)) throw new PoisonFailure(cause);
        applied.push(batch.map((e) => e.value.version));
        return batch;
      },
      async (event, reason, error) => void dead.push({ offset: event.raw.offset, reason, error }),
    );
    const result = await apply(events, handlerContext());
    expect(result.map((e: ConsumedEvent<'HuntChanged'>) => e.value.version)).toEqual([1, 3]);
    expect(applied).toEqual([[1], [3]]);
    expect(dead).toEqual([{ offset: events[1]!.raw.offset, reason: 'handler-failed', error: cause }]);
  });

  it('lets any other failure through untouched', async () => {
    const other = new Error('not poison');
    const apply = isolatePoison(
      async () => {
        throw other;
      },
      async () => undefined,
    );
    await expect(apply([consumedHuntChanged(1)], handlerContext())).rejects.toBe(other);
  });
});

describe('isolatePoison, erring on the safe side', () => {
  const fast = { backoff: { baseMs: 1, maxMs: 2 } };

  it('calls nothing poison while the database or the broker does not answer, and applies the event once they do', async () => {
    let up = false;
    let calls = 0;
    const dead: unknown[] = [];
    const apply = isolatePoison<'HuntChanged'>(
      async (batch) => {
        calls++;
        if (!up) throw new PoisonFailure(new Error('ROLLBACK - something odd'));
        return batch;
      },
      async (_e, _r, error) => void dead.push(error),
      { ...fast, probe: async () => (calls >= 5 ? (up = true) : false) },
    );
    const event = consumedHuntChanged(1);
    expect(await apply([event], handlerContext())).toEqual([event]);
    expect(dead).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(5);
  });

  it('dead-letters an event only after it failed on its own `attempts` times with the infrastructure up', async () => {
    let calls = 0;
    const dead: string[] = [];
    const apply = isolatePoison<'HuntChanged'>(
      async () => {
        calls++;
        throw new PoisonFailure(new Error('cursed'));
      },
      async (e) => void dead.push(e.raw.offset),
      { ...fast, attempts: 3 },
    );
    const event = consumedHuntChanged(1);
    expect(await apply([event], handlerContext())).toEqual([]);
    expect(calls).toBe(4); // the batch, then three tries alone
    expect(dead).toEqual([event.raw.offset]);
  });

  it('holds a batch whose every event fails, dead-lettering none of them', async () => {
    let rounds = 0;
    const dead: unknown[] = [];
    let running = true;
    const apply = isolatePoison<'HuntChanged'>(
      async (batch) => {
        if (batch.length > 1 && ++rounds >= 3) running = false;
        throw new PoisonFailure(new TypeError('handler bug'));
      },
      async (e) => void dead.push(e),
      { ...fast, attempts: 1 },
    );
    await expect(
      apply([consumedHuntChanged(1), consumedHuntChanged(2)], handlerContext({ isRunning: () => running })),
    ).rejects.toBeInstanceOf(Interrupted);
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(dead).toEqual([]);
  });
});
