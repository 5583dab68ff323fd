// `npm run dlq` as an operator runs it: a child process configured by KAFKA_BROKERS and TOPIC_PREFIX,
// against the service running as a child process too.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/events/envelope.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
let service: ChildService;
beforeAll(async () => {
  service = startChildService(t.env({ ROLES: 'matcher', LOG_LEVEL: 'info' }));
  await service.waitForLog('hunt-matcher started');
});
afterAll(async () => {
  await service.kill('SIGTERM');
});

async function dlq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', KAFKA_BROKERS: t.kafkaBrokers.join(','), TOPIC_PREFIX: t.topics.prefix };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/dlq.ts', ...args],
      { env, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run dlq', () => {
  it('explains its usage and exits 2 when the command is wrong', async () => {
    const noCommand = await dlq();
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('usage:');
    expect((await dlq('replay', '--topic', 'ads.scraped')).stderr).toContain('replay needs either --offset O or --all');
    expect((await dlq('list', '--topic', 'nowhere')).code).toBe(2);
    expect((await dlq('list', '--bogus')).code).toBe(2);
  });

  it('lists a dead letter, replays it (a dry run first), and refuses to replay it twice', async () => {
    await t.sendRaw('ads.scraped', [
      { key: 'ad-1', value: Buffer.from('garbage'), headers: { 'event-id': newEventId() } },
    ]);
    await waitFor(async () => (await t.countMessages('ads.scraped.dlq')) === 1, {
      message: 'dead-lettered by the matcher',
    });

    const list = await dlq('list', '--topic', 'ads.scraped');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('ads.scraped.dlq: 1 dead letters, 1 waiting');
    expect(list.stdout).toMatch(/ads\.scraped\.dlq@0 .* from ads\.scraped\[\d\]@0 .*waiting/);
    expect(list.stdout).toContain('not-single-object-encoded');

    const dry = await dlq('replay', '--topic', 'ads.scraped', '--offset', '0', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would replay ads.scraped.dlq@0');
    expect(await t.countMessages('ads.scraped')).toBe(1);

    const replay = await dlq('replay', '--topic', 'ads.scraped.dlq', '--offset', '0');
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/replayed ads\.scraped\.dlq@0 -> .*ads\.scraped\[\d\]@1/);
    await waitFor(async () => (await t.countMessages('ads.scraped.dlq')) === 2, { message: 'dead-lettered again' });

    const json = JSON.parse((await dlq('list', '--json')).stdout) as Array<{
      offset: string;
      replayedAt: string | null;
      failedAfterReplayAt: string | null;
    }>;
    expect(json.map((d) => [d.offset, d.replayedAt !== null, d.failedAfterReplayAt !== null])).toEqual([
      ['1', false, true],
      ['0', true, false],
    ]);

    const twice = await dlq('replay', '--topic', 'ads.scraped', '--offset', '0');
    expect(twice.code, twice.stderr).toBe(1);
    expect(twice.stderr).toContain('was replayed at');
  });
});
