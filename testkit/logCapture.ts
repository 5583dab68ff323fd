// A pino logger that keeps its lines in memory, for tests that assert on what an in-process service logs.
import { pino } from 'pino';
import type { Logger } from '../src/platform/logger.js';

export interface CapturedLogs {
  log: Logger;
  lines: Array<Record<string, unknown>>;
  /** The lines whose msg is `msg`, or matches it. */
  withMsg(msg: string | RegExp): Array<Record<string, unknown>>;
}

export function captureLogs(level = 'info'): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level },
    {
      write(chunk: string) {
        for (const line of chunk.split('\n'))
          if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return {
    log,
    lines,
    withMsg: (msg) =>
      lines.filter((l) => typeof l.msg === 'string' && (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg))),
  };
}
