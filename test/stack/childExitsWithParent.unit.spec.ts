// The children the tests and benchmarks start (testkit/childService.ts) end when their parent is gone,
// even when the parent was killed by a signal and never ran its exit handler: a vitest worker ended by
// a signal once left a service running for 45 minutes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childServiceArgs, EXIT_WITH_PARENT, isRunning } from '../../testkit/childService.js';
import { waitFor } from '../../testkit/waitFor.js';

describe('a child started by the tests', () => {
  it('stops, gracefully (SIGTERM), within seconds of its parent being killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orphan-'));
    const stopped = join(dir, 'stopped');
    const ticks = join(dir, 'ticks');
    // The grandchild: what startChildService starts, reduced to its preload, a SIGTERM handler, and a
    // file it appends to every 100 ms while it runs.
    const grandchild = `const fs = require('fs');
      process.on('SIGTERM', () => { fs.writeFileSync(${JSON.stringify(stopped)}, 'SIGTERM'); process.exit(0); });
      setInterval(() => fs.appendFileSync(${JSON.stringify(ticks)}, '.'), 100);`;
    const parentScript = `const c = require('child_process').spawn(process.execPath, ${JSON.stringify([...EXIT_WITH_PARENT, '-e', grandchild])}, { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    try {
      // 2.5 s of life: at least two of its once-a-second parent checks passed while the parent lived.
      await waitFor(() => existsSync(ticks) && readFileSync(ticks, 'utf8').length >= 25, {
        timeoutMs: 10_000,
        message: 'the grandchild ran for 2.5 s',
      });
      expect(existsSync(stopped), 'the grandchild was not stopped while its parent lived').toBe(false);
      parent.kill('SIGKILL');
      await waitFor(() => existsSync(stopped) && !isRunning(pid), {
        timeoutMs: 5000,
        message: 'the orphaned grandchild stopped',
      });
      expect(readFileSync(stopped, 'utf8')).toBe('SIGTERM');
    } finally {
      parent.kill('SIGKILL');
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('is what every child service preloads, run from the sources or built', () => {
    for (const built of [false, true]) {
      const args = childServiceArgs({ built });
      const at = args.indexOf(EXIT_WITH_PARENT[1]!);
      expect(at, `built: ${built}`).toBeGreaterThan(0);
      expect(args[at - 1]).toBe('--import');
      // Before the entry point, which node runs after every preload.
      expect(at).toBeLessThan(args.indexOf(built ? 'dist/src/main.js' : 'src/main.ts'));
    }
  });
});
