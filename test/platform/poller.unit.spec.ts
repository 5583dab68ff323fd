import { describe, expect, it } from 'vitest';
import { startPoller } from '../../src/platform/poller.js';
import { waitFor } from '../../testkit/waitFor.js';

describe('startPoller', () => {
  it('runs a pass at once, again at once while a pass says more is waiting, then every interval', async () => {
    const passes: number[] = [];
    let more = 3;
    const poller = startPoller({
      intervalMs: 60_000,
      pass: async () => {
        passes.push(Date.now());
        return more-- > 0 ? 'more' : undefined;
      },
      onError: () => undefined,
    });
    await waitFor(() => passes.length === 4);
    const started = Date.now();
    await poller.stop();
    // The loop slept for the interval after the fourth pass; stop() woke it instead of waiting a minute.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(passes).toHaveLength(4);
  });

  it('reports a failed pass and tries again at the next interval', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const poller = startPoller({
      intervalMs: 10,
      pass: async () => {
        calls++;
        if (calls <= 2) throw new Error(`pass ${calls} failed`);
      },
      onError: (e) => errors.push(e),
    });
    await waitFor(() => calls >= 4);
    await poller.stop();
    expect(errors.map((e) => (e as Error).message)).toEqual(['pass 1 failed', 'pass 2 failed']);
  });

  it('stop() waits for the pass under way, which sees isRunning turn false', async () => {
    let release!: () => void;
    let sawStop = false;
    const poller = startPoller({
      intervalMs: 10,
      pass: async (isRunning) => {
        await new Promise<void>((r) => (release = r));
        sawStop = !isRunning();
      },
      onError: () => undefined,
    });
    await waitFor(() => release !== undefined);
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sawStop).toBe(true);
  });
});
