// A background loop over due-time rows (the sender's retries, the importer's runs): a pass now, then
// one every `intervalMs`, or at once again when a pass says more is waiting; a failed pass is reported
// and tried again at the next interval. stop() wakes a sleeping loop and waits for the pass under way.

export interface Poller {
  stop(): Promise<void>;
}

export interface PollerOptions {
  intervalMs: number;
  /** One pass; 'more' runs the next at once. `isRunning` turns false when stop() is called. */
  pass: (isRunning: () => boolean) => Promise<'more' | void>;
  onError: (error: unknown) => void;
}

export function startPoller({ intervalMs, pass, onError }: PollerOptions): Poller {
  let running = true;
  let wake: (() => void) | undefined;
  const isRunning = () => running;
  const loop = (async () => {
    while (running) {
      try {
        if ((await pass(isRunning)) === 'more') continue;
      } catch (error) {
        onError(error);
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
