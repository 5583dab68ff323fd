import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { catchStopSignals, SAME_SIGNAL_MS, type SignalSource } from '../../src/platform/shutdown.js';

/** A process of the test's own: signals it raises, exits it records, a clock it moves. */
function fakeProcess() {
  const events = new EventEmitter();
  const exits: number[] = [];
  const lines: string[] = [];
  let now = 1_000;
  const source: SignalSource = {
    on: (event, listener) => events.on(event, listener),
    exit: (code) => void exits.push(code),
  };
  const say = (_: object, message: string) => void lines.push(message);
  const shutdown = catchStopSignals({ log: { info: say, warn: say, error: say }, source, now: () => now });
  return {
    shutdown,
    exits,
    lines,
    log: { info: say, warn: say, error: say },
    signal: (name: NodeJS.Signals, afterMs = 0) => {
      now += afterMs;
      events.emit(name, name);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('stopping on SIGTERM and SIGINT', () => {
  it('drains once for a Ctrl-C that npm forwards again a few milliseconds later, and exits 0', async () => {
    const p = fakeProcess();
    let stops = 0;
    p.shutdown.drainWith(async () => void stops++, { log: p.log, timeoutMs: 5_000 });
    p.signal('SIGINT');
    p.signal('SIGINT', 7);
    await settle();
    expect(stops).toBe(1);
    expect(p.exits).toEqual([0]);
    expect(p.lines).toEqual(['draining: finishing work in progress', 'stopped cleanly']);
  });

  it('exits 1 at once on a second Ctrl-C, pressed after the first was taken', async () => {
    const p = fakeProcess();
    p.shutdown.drainWith(() => new Promise<void>(() => {}), { log: p.log, timeoutMs: 60_000 });
    p.signal('SIGINT');
    p.signal('SIGINT', SAME_SIGNAL_MS + 1);
    expect(p.exits).toEqual([1]);
    expect(p.lines).toContain('second signal: exiting now');
  });

  it('drains a service as soon as it runs when the stop was asked for while it started', async () => {
    const p = fakeProcess();
    p.signal('SIGTERM');
    expect(p.shutdown.requested).toBe(true);
    expect(p.exits).toEqual([]);
    let stopped = false;
    p.shutdown.drainWith(async () => void (stopped = true), { log: p.log, timeoutMs: 5_000 });
    await settle();
    expect(stopped).toBe(true);
    expect(p.exits).toEqual([0]);
  });

  it('exits 1 when the drain fails', async () => {
    const p = fakeProcess();
    p.shutdown.drainWith(() => Promise.reject(new Error('broker gone')), { log: p.log, timeoutMs: 5_000 });
    p.signal('SIGTERM');
    await settle();
    expect(p.exits).toEqual([1]);
    expect(p.lines).toContain('error while draining');
  });
});
