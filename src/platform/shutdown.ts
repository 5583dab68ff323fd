/**
 * How long a repeat of the first signal counts as the same request. A terminal's Ctrl-C signals its
 * whole foreground process group, and `npm run` forwards the SIGINT it gets to its child as well: a
 * process run by npm in a terminal gets every Ctrl-C twice, a few milliseconds apart. Taken as two
 * presses, the first Ctrl-C skipped the drain.
 */
export const SAME_SIGNAL_MS = 500;

/** What the shutdown says, and where (the service's logger, or a plain writer before it exists). */
export interface ShutdownLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
  flush?(): void;
}

/** What of `process` the shutdown uses (a test passes its own). */
export interface SignalSource {
  on(event: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export interface Shutdown {
  /** SIGTERM or SIGINT came: code that is still starting stops at its next step (and exits 0). */
  readonly requested: boolean;
  /**
   * The service runs: the first signal (or the one that came while it started) drains it with `stop` and
   * exits 0. A drain that fails or outlasts `timeoutMs` exits 1.
   */
  drainWith(stop: () => Promise<void>, options: { log: ShutdownLog; timeoutMs: number }): void;
}

/**
 * Catches SIGTERM and SIGINT from the process's first moment, so that a stop asked for while the service
 * is still starting is a clean stop too (not Node's default: dying on the spot, the drain skipped). A
 * second signal, other than the repeat of a Ctrl-C described above, exits 1 at once: whoever sends it
 * wants the process gone.
 */
export function catchStopSignals(options: {
  log: ShutdownLog;
  source?: SignalSource;
  now?: () => number;
  /** Called with the first signal, before any drain: a long start (a broker's) can be cut short. */
  onRequest?: () => void;
}): Shutdown {
  const source = options.source ?? process;
  const now = options.now ?? Date.now;
  let log = options.log;
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  let drain: { stop: () => Promise<void>; timeoutMs: number } | undefined;
  let draining = false;

  const exit = (code: number) => {
    log.flush?.();
    source.exit(code);
  };
  const runDrain = () => {
    if (draining || !first || !drain) return;
    draining = true;
    const { stop, timeoutMs } = drain;
    log.info({ signal: first.signal, timeoutMs }, 'draining: finishing work in progress');
    drainThenExit(stop, timeoutMs, () => log, exit);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const at = now();
    if (!first) {
      first = { signal, at };
      options.onRequest?.();
      if (drain) runDrain();
      else log.info({ signal }, 'stop requested while starting: stopping once what is starting has started');
      return;
    }
    if (signal === first.signal && at - first.at < SAME_SIGNAL_MS) return;
    log.warn({ signal }, 'second signal: exiting now');
    exit(1);
  };
  source.on('SIGTERM', onSignal);
  source.on('SIGINT', onSignal);

  return {
    get requested() {
      return first !== undefined;
    },
    drainWith(stop, o) {
      log = o.log;
      drain = { stop, timeoutMs: o.timeoutMs };
      runDrain();
    },
  };
}

/**
 * Runs `stop` and exits 0; exits 1 when it fails or outlasts `timeoutMs`. `logNow` is the log of the
 * moment (drainWith may hand another one meanwhile).
 */
function drainThenExit(
  stop: () => Promise<void>,
  timeoutMs: number,
  logNow: () => ShutdownLog,
  exit: (code: number) => void,
) {
  const timer = setTimeout(() => {
    logNow().error({ timeoutMs }, 'drain took too long; exiting');
    exit(1);
  }, timeoutMs);
  timer.unref();
  stop().then(
    () => {
      clearTimeout(timer);
      logNow().info({}, 'stopped cleanly');
      exit(0);
    },
    (error: unknown) => {
      clearTimeout(timer);
      logNow().error({ err: error }, 'error while draining');
      exit(1);
    },
  );
}
