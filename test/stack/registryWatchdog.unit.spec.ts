// The local schema registry runs under infra/schema-registry/run-registry.sh, which stops it when its
// owner dies, however the owner ends: a registry JVM must never outlive the test run or `npm run dev`
// that started it. Here the "JVM" is a `sleep` (the script runs whatever command it is given), and the
// owner a process killed with SIGKILL, which runs no exit handler.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/platform/projectRoot.js';
import { isRunning } from '../../testkit/childService.js';
import { waitFor } from '../../testkit/waitFor.js';

describe('the schema registry watchdog', () => {
  it('stops the registry and removes its work directory within seconds of its owner being killed', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'registry-watchdog-'));
    const script = join(projectRoot(), 'infra', 'schema-registry', 'run-registry.sh');
    // The owner starts the watchdog as localSchemaRegistry.ts does (its own pid first), then idles.
    const owner = spawn(
      process.execPath,
      [
        '-e',
        `require('child_process').spawn(${JSON.stringify(script)}, [String(process.pid), ${JSON.stringify(workDir)}, 'sleep', '300'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore' },
    );
    const pidFile = join(workDir, 'registry.pid');
    const registry = await waitFor(
      () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined),
      { timeoutMs: 10_000, message: 'the registry started' },
    );
    try {
      expect(isRunning(registry)).toBe(true);
      owner.kill('SIGKILL');
      await waitFor(() => !isRunning(registry) && !existsSync(workDir), {
        timeoutMs: 5000,
        message: 'the registry stopped and its directory removed',
      });
    } finally {
      owner.kill('SIGKILL');
      if (isRunning(registry)) process.kill(registry, 'SIGKILL');
    }
  });
});
