import { describe, expect, it } from 'vitest';
import type { ConsumedEvent } from '../../../src/consumers/pipeline/consumedEvent.js';
import { isolatePoison } from '../../../src/consumers/pipeline/poison.js';
import { PoisonFailure } from '../../../src/consumers/pipeline/retry.js';
import { consumedHuntChanged, handlerContext } from '../../support/pipelineFixtures.js';

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
    const apply = isolatePoison(async () => {
      throw other;
    }, async () => undefined);
    await expect(apply([consumedHuntChanged(1)], handlerContext())).rejects.toBe(other);
  });
});
