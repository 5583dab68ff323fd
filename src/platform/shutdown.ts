import type { Logger } from './logger.js';

/**
 * SIGTERM/SIGINT drain the service: stop taking work, finish the transaction in progress, commit
 * offsets, flush producers, exit 0. A second signal, or a drain longer than the timeout, exits 1.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: Logger,
  timeoutMs: number,
  after: () => Promise<void> = async () => {},
) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, timeoutMs }, 'draining: finishing work in progress');
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'drain took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop()
      .then(after)
      .then(() => {
        log.info('stopped cleanly');
        log.flush?.();
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'error while draining');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
