// The built entry point (`npm start` runs dist/src/main.js; here src/main.ts through tsx, the same code).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from './support/testEnv.js';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(() => t.cleanup());

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output, exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
}

describe('starting the service', () => {
  it('refuses a bad configuration value with a message naming the variable', async () => {
    const run = runMain(t.env({ KAFKA_BROKERS: 'not a broker', SEND_MAX_ATTEMPTS: 'many' }));
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('KAFKA_BROKERS must be a comma-separated list of host:port');
    expect(run.output()).toContain('SEND_MAX_ATTEMPTS must be an integer');
  });

  it('starts from environment variables alone and drains on SIGTERM with exit code 0', async () => {
    const run = runMain(t.env({ LOG_LEVEL: 'info' }));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line:\n${run.output()}`)), 45_000);
      run.child.stdout.on('data', () => {
        const started = run.output().split('\n').find((l) => l.includes('hunt-matcher started'));
        if (started) {
          clearTimeout(timer);
          resolve(started);
        }
      });
    });
    const { url } = JSON.parse(line) as { url: string };
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('stopped cleanly');
  });
});
