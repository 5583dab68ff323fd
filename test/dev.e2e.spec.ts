// `npm run dev` as a person runs it: in a terminal (a pseudo-terminal, util-linux's `script`), with a
// broker of its own (from the Maven jars) and the dev stand-ins. The README's "Try it" blocks, taken
// from README.md as they are, run in bash against it and must get their SMS to the dev gateway and the
// sample Lobstr run imported; then Ctrl-C, typed into the terminal (SIGINT to its whole foreground
// process group), must drain every role, stop the broker and remove its data, and exit 0. And SIGTERM
// to npm's process while it is still starting (its broker not ready yet) must stop what has started at
// once, exit 0.
// One dev service serves the walk-through and the Ctrl-C; the SIGTERM case starts its own.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnv } from '../testkit/testEnv.js';
import { waitFor } from '../testkit/waitFor.js';

const run = promisify(execFile);
const t = useTestEnv();

/** The environment of a developer's shell: none of the test run's (its broker, above all). */
const devEnvironment = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/root',
  SHELL: '/bin/bash',
  TERM: 'xterm',
  LANG: 'C.UTF-8',
  // The test's own database (migrated already), on the local server; PORT 0: a free one, as the banner says.
  DATABASE_URL: t.databaseUrl,
  PORT: '0',
});

interface Dev {
  child: ChildProcessWithoutNullStreams;
  /** What the terminal showed, colours and carriage returns removed. */
  text(): string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, message: string, timeoutMs?: number): Promise<RegExpMatchArray>;
}

function watch(child: ChildProcessWithoutNullStreams): Dev {
  let raw = '';
  child.stdout.on('data', (c: Buffer) => (raw += c.toString()));
  child.stderr.on('data', (c: Buffer) => (raw += c.toString()));
  // eslint-disable-next-line no-control-regex
  const text = () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    text,
    exited,
    waitFor: (pattern, message, timeoutMs = 150_000) =>
      waitFor(() => text().match(pattern) ?? undefined, { timeoutMs, intervalMs: 200, message }),
  };
}

/** `command` run in a pseudo-terminal of its own, as typed in a terminal; typing into it is writing to stdin. */
const inTerminal = (command: string) =>
  watch(spawn('script', ['-qfec', command, '/dev/null'], { env: devEnvironment(), stdio: 'pipe' }));

/** The processes whose command line names `text` (a broker's data directory is in its JVM's and its watchdog's). */
async function processesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid} ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

/** The shell blocks of the README's "Try it" section, in order. */
async function tryItBlocks(): Promise<string[]> {
  const readme = await readFile('README.md', 'utf8');
  const section = /\n## Try it\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const DATA_DIR = /data in (\/tmp\/hunt-matcher-kafka-[A-Za-z0-9]+)\)/;

describe('npm run dev in a terminal', () => {
  let dev: Dev;
  let api = '';
  let dataDir = '';
  beforeAll(async () => {
    dev = inTerminal('npm run dev');
    dataDir = (await dev.waitFor(DATA_DIR, 'the broker starting'))[1]!;
    api = (await dev.waitFor(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, "the banner's API line"))[1]!;
  }, 180_000);
  afterAll(async () => {
    // Whatever happened above, nothing of this test is left running.
    if (dev.child.exitCode === null) {
      dev.child.kill('SIGKILL');
      await dev.exited;
    }
  });

  it("runs the README's Try it blocks, pasted in order into bash: the SMS reaches the dev gateway, the Lobstr sample run is imported", async () => {
    const blocks = await tryItBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const { stdout, stderr } = await run('bash', ['-c', blocks.join('\n')], {
      env: { ...devEnvironment(), API: api },
      timeout: 120_000,
    });
    expect(stderr).toBe('');
    expect(stdout).not.toContain('"error"');
    expect(stdout).toContain('"stage":"contacte"');
    expect(stdout).toContain('"status":"reply"');
    expect(stdout).toContain('"matches":true');
    expect(stdout).toMatch(/"matchingAds":[1-9]/);
    // The conversation: our SMS, then the seller's reply.
    expect(stdout).toMatch(/"direction":"outbound".*"direction":"inbound"/);

    await dev.waitFor(
      /\[dev gateway\] sms to \+33612345678: Garage du Rhone : Bonjour Julie, votre Peugeot 308 à 14 500 € nous intéresse/,
      'the SMS printed by the dev gateway',
      30_000,
    );
    const imported = await waitFor(
      async () =>
        (await t
          .db('lobstr_runs')
          .where({ run_id: '5e1f0c3ad2b94c6f8e7a91b2c3d4e5f6', status: 'done' })
          .first<{ ads_received: number }>('ads_received')) ?? undefined,
      { message: 'the sample Lobstr run imported', timeoutMs: 60_000 },
    );
    expect(imported.ads_received).toBe(60);
  }, 180_000);

  it('stops on Ctrl-C: every role drained, the broker stopped and its data removed, exit 0', async () => {
    expect(existsSync(dataDir)).toBe(true);
    expect(await processesNaming(dataDir)).not.toEqual([]);
    dev.child.stdin.write('\x03');
    expect(await dev.exited).toBe(0);
    const text = dev.text();
    expect(text).toContain('draining: finishing work in progress');
    for (const role of ['relay', 'matcher', 'sender', 'importer', 'scheduler'])
      expect(text, role).toMatch(new RegExp(`role stopped.*"role":"${role}"`));
    expect(text).toContain('stopped cleanly');
    expect(text).not.toContain('second signal');
    expect(existsSync(dataDir)).toBe(false);
    expect(await processesNaming(dataDir)).toEqual([]);
  }, 60_000);
});

describe('npm run dev stopped by SIGTERM to npm', () => {
  it('stops at once what has started when the signal comes while the broker starts, leaves no broker and no data, exit 0', async () => {
    const dev = watch(spawn('npm', ['run', 'dev'], { env: devEnvironment(), stdio: 'pipe' }));
    try {
      const dataDir = (await dev.waitFor(DATA_DIR, 'the broker starting'))[1]!;
      dev.child.kill('SIGTERM');
      expect(await dev.exited).toBe(0);
      expect(dev.text()).not.toContain('broker ready');
      expect(dev.text()).toContain('stopped cleanly');
      expect(existsSync(dataDir)).toBe(false);
      expect(await processesNaming(dataDir)).toEqual([]);
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    }
  }, 120_000);
});
