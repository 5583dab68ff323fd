// The one retry and backoff module (the consumer pipeline, the relay, the sender's schedule, the
// Lobstr importer and Kafka admin calls all use it).

/** Exponential backoff with full jitter: a random delay in [base/2, base * 2^(attempt-1)], capped. */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number; random?: () => number },
): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const floor = Math.min(ceiling, options.baseMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits `ms`, calling `tick` every `everyMs` meanwhile (a Kafka heartbeat keeps a partition while it
 * waits), and returns early once `keepWaiting` says no (the process is stopping).
 */
export async function waitWhile(
  ms: number,
  options: { keepWaiting: () => boolean; everyMs?: number; tick?: () => Promise<unknown> },
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && options.keepWaiting()) {
    await sleep(Math.min(options.everyMs ?? 500, until - Date.now()));
    await options.tick?.().catch(() => undefined);
  }
}

/** Calls `fn` until it succeeds, fails with an error `isRetriable` refuses, or `attempts` calls failed. */
export async function retry<T>(
  fn: () => Promise<T>,
  options: { attempts: number; isRetriable: (error: unknown) => boolean; delayMs: (attempt: number) => number },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetriable(error)) throw error;
      await sleep(options.delayMs(attempt));
    }
  }
}
