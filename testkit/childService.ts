// hunt-matcher as a separate process (src/main.ts through tsx, the code `npm start` runs built),
// for tests that kill it with SIGKILL or check how it starts and stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildService {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the parsed log line whose msg is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

// A test that fails or times out before killing its children must not leave them running.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Preloaded into every child (node --import): the child ends when the process that started it is gone.
 * The `exit` handler above does not run when a vitest worker or a benchmark is ended by a signal, and a
 * child was left running for 45 minutes after a failed run. Once a second the child compares its parent
 * with the one it started under; orphaned (re-parented), it sends itself SIGTERM (its graceful stop; with
 * the parent's end of its output pipes gone, a log line may end it sooner), and SIGKILL 10 s later if it
 * is still there.
 */
const WATCH_PARENT = `const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10000).unref();
}, 1000);
watch.unref();`;
export const EXIT_WITH_PARENT = ['--import', `data:text/javascript,${encodeURIComponent(WATCH_PARENT)}`];

/**
 * The flags `npm start` and the Docker image run the service with (package.json, Dockerfile): a young
 * generation of 64 MiB per semi-space instead of V8's 16. The service allocates a short-lived buffer or
 * row for every event it reads or writes; with 16 MiB, scavenges ran so often that the events of a batch
 * in flight were promoted and collected again by the old generation (GC 0.33 ms of 2.5 ms of CPU per
 * ad at saturation, 0.21 with 64; docs/BENCHMARKS.md).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=64'];

/** The node arguments of a child service: its flags, the parent watch, and the built or the source entry. */
export function childServiceArgs(options: { built?: boolean; profile?: string[] } = {}): string[] {
  return [
    ...(options.profile ?? []),
    ...SERVICE_NODE_FLAGS,
    ...EXIT_WITH_PARENT,
    ...(options.built ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts']),
  ];
}

/**
 * `built`: run the compiled `dist/src/main.js` (what `npm start` runs; the caller builds first) instead of
 * the sources through tsx, which spends seconds compiling at every start.
 */
export function startChildService(
  env: Record<string, string>,
  options: { keepOutput?: number; built?: boolean } = {},
): ChildService {
  // A benchmark's children log for minutes: keep the tail (enough to find start-up lines and errors).
  const keep = options.keepOutput ?? Number.POSITIVE_INFINITY;
  // CHILD_CPU_PROF_DIR=dir: every child writes a V8 CPU profile there when it exits (for profiling benchmarks).
  const profile = process.env.CHILD_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CHILD_CPU_PROF_DIR}`]
    : [];
  const child = spawn(process.execPath, childServiceArgs({ built: options.built, profile }), {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > keep) output = output.slice(output.indexOf('\n', output.length - keep) + 1);
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const findLine = (msg: string) =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === msg);

  return {
    child,
    output: () => output,
    exited,
    waitForLog(msg, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = findLine(msg);
          if (line) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${msg}" log line within ${timeoutMs} ms; output:\n${output.slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() =>
          setTimeout(() => {
            if (!findLine(msg)) reject(new Error(`process exited before "${msg}"; output:\n${output.slice(-3000)}`));
          }, 10),
        );
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Alive and not a zombie (a zombie has ended; only its exit status waits to be collected). Linux only: reads /proc. */
export const isRunning = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
