// Services that a test file or a benchmark starts in its own process, from the environment a container
// would get (testkit/serviceEnv.ts), as `npm start` builds them (src/service.ts), and stops together at
// the end. Tests and the bench start their services this one way.
import { loadConfig } from '../src/config.js';
import type { Clock } from '../src/platform/clock.js';
import { createLogger, type Logger } from '../src/platform/logger.js';
import { startService, type Service } from '../src/service.js';

export interface InProcessOptions {
  /** Names the service's log lines (`<name>:<instance id>`). */
  name: string;
  /** Where it logs, instead of a logger at the environment's LOG_LEVEL. */
  log?: Logger;
  clock?: Clock;
  onFatal?: (error: Error) => void;
}

/** `p`, or nothing once `ms` passed: a service stuck in a retry loop must not hold the harness up. */
export const withTimeout = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

export class InProcessServices {
  private readonly running: Service[] = [];

  async start(env: Record<string, string>, options: InProcessOptions): Promise<Service> {
    const config = loadConfig(env);
    const log =
      options.log ??
      createLogger({ level: config.log.level, pretty: 'false', name: `${options.name}:${config.instanceId}` });
    const service = await startService({
      config,
      log,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
    this.running.push(service);
    return service;
  }

  async stop(service: Service, timeoutMs: number) {
    const i = this.running.indexOf(service);
    if (i >= 0) this.running.splice(i, 1);
    await withTimeout(service.stop(), timeoutMs);
  }

  /** Every service still running, the last started first, each within `timeoutMs`. */
  async stopAll(timeoutMs: number) {
    for (const service of this.running.splice(0).reverse()) await withTimeout(service.stop(), timeoutMs);
  }
}
