// The entry point `npm start` runs (dist/src/main.js; here src/main.ts through tsx, the same code).
import { describe, expect, it } from 'vitest';
import { startChildService } from '../testkit/childService.js';
import { useTestEnv } from '../testkit/testEnv.js';

const t = useTestEnv();

describe('starting the service', () => {
  it('refuses a bad configuration value with a message naming the variable', async () => {
    const run = startChildService(t.env({ KAFKA_BROKERS: 'not a broker', SEND_MAX_ATTEMPTS: 'many' }));
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('KAFKA_BROKERS must be a comma-separated list of host:port');
    expect(run.output()).toContain('SEND_MAX_ATTEMPTS must be an integer');
  });

  it('starts from environment variables alone and drains on SIGTERM with exit code 0', async () => {
    const run = startChildService(t.env({ LOG_LEVEL: 'info' }));
    const { url } = (await run.waitForLog('hunt-matcher started')) as { url: string };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await run.kill('SIGTERM')).toBe(0);
    expect(run.output()).toContain('stopped cleanly');
  });

  it('drains on SIGTERM received while the roles are still starting, with exit code 0', async () => {
    const run = startChildService(t.env({ LOG_LEVEL: 'info' }));
    // The HTTP server listens before any role starts: the roles are starting now.
    await run.waitForLog('http listening');
    expect(await run.kill('SIGTERM')).toBe(0);
    expect(run.output()).toContain('stop requested while starting');
    expect(run.output()).toContain('stopped cleanly');
  });
});
