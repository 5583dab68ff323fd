import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs for machines, pretty ones for people: `auto` prettifies when stdout is a terminal.
 * Child loggers carry fixed keys (topic, partition, offset, eventId, huntId, adId, accountId).
 */
export function createLogger(options: { level: string; pretty: 'auto' | 'true' | 'false'; name?: string }): Logger {
  const pretty = options.pretty === 'true' || (options.pretty === 'auto' && process.stdout.isTTY);
  const base = { name: options.name ?? 'hunt-matcher', level: options.level };
  if (pretty)
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        // One line per entry, its fields as JSON after the message: a person reads a log line by line,
        // and pino-pretty's default (a line per field, a line per array element) made one event 7 lines.
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true },
      },
    });
  // Asynchronous writes to stdout: under load, lines written while one write is in flight go out
  // together instead of one system call each; what is buffered is flushed at exit.
  return pino(base, pino.destination({ dest: 1, sync: false }));
}
