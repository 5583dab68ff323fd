import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../src/consumers/pipeline/coalesce.js';
import type { ConsumedEvent } from '../../../src/consumers/pipeline/consumedEvent.js';
import { consumedHuntChanged, handlerContext } from '../../../testkit/pipelineFixtures.js';

describe('coalesce', () => {
  it('applies the batches of partitions that arrive together in one pass, and gives each its own applied events', async () => {
    const passes: number[][] = [];
    const apply = coalesce<'HuntChanged'>(async (events) => {
      passes.push(events.map((e) => e.value.version));
      return events.filter((e) => e.value.version !== 2); // 2 is a duplicate the inbox skipped
    });
    const a = [consumedHuntChanged(1), consumedHuntChanged(2)];
    const b = [consumedHuntChanged(3)];
    const [ra, rb] = await Promise.all([apply(a, handlerContext()), apply(b, handlerContext())]);
    expect(passes).toEqual([[1, 2, 3]]);
    expect(ra.map((e: ConsumedEvent<'HuntChanged'>) => e.value.version)).toEqual([1]);
    expect(rb.map((e: ConsumedEvent<'HuntChanged'>) => e.value.version)).toEqual([3]);
  });

  it('fails every batch of a pass that fails, and takes later batches in a pass of their own', async () => {
    let calls = 0;
    const apply = coalesce<'HuntChanged'>(async (events) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return events;
    });
    const first = Promise.all([
      apply([consumedHuntChanged(1)], handlerContext()),
      apply([consumedHuntChanged(2)], handlerContext()),
    ]);
    await expect(first).rejects.toThrow('database down');
    expect((await apply([consumedHuntChanged(3)], handlerContext())).map((e) => e.value.version)).toEqual([3]);
    expect(calls).toBe(2);
  });

  it('keeps a pass within maxEvents, taking the rest in the next one', async () => {
    const sizes: number[] = [];
    const apply = coalesce<'HuntChanged'>(
      async (events) => {
        sizes.push(events.length);
        return events;
      },
      { maxEvents: 3 },
    );
    await Promise.all(
      [1, 2, 3].map((v) => apply([consumedHuntChanged(v), consumedHuntChanged(v + 10)], handlerContext())),
    );
    expect(sizes).toEqual([2, 2, 2]);
  });

  it('runs up to passesAtOnce passes at once, each with batches of its own, and starts the next when one ends', async () => {
    const started: number[][] = [];
    const finish = new Map<number, () => void>();
    const apply = coalesce<'HuntChanged'>(
      async (events) => {
        const versions = events.map((e) => e.value.version);
        started.push(versions);
        await new Promise<void>((resolve) => finish.set(versions[0]!, resolve));
        return events;
      },
      { maxEvents: 1, passesAtOnce: 2 },
    );
    const results = [1, 2, 3].map((v) => apply([consumedHuntChanged(v)], handlerContext()));
    await waitUntil(() => started.length === 2);
    // Two passes under way, the third batch waits for one of them (passes start on setImmediate turns).
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([[1], [2]]);
    finish.get(2)!();
    await waitUntil(() => started.length === 3);
    expect(started[2]).toEqual([3]);
    finish.get(1)!();
    finish.get(3)!();
    expect((await Promise.all(results)).map((r) => r.map((e) => e.value.version))).toEqual([[1], [2], [3]]);
  });
});

async function waitUntil(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}
