import { describe, expect, it } from 'vitest';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, LOAD, report, seededService } from '../../testkit/chaos/chaosRun.js';

const env = useChaosEnv();

describe('the Kafka broker killed with SIGKILL under load and started again', () => {
  it('loses no ad and makes nothing twice: the outbox keeps what was committed meanwhile, and drains once the broker is back', async () => {
    const { run, service, url } = await seededService(env);
    const { seconds } = LOAD;
    let back = 0;
    let backlogAtReturn = 0;
    const crashAndRestart = async () => {
      await env.kafka.crash();
      await new Promise((r) => setTimeout(r, FULL ? 10_000 : 5_000));
      backlogAtReturn = Number((await env.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count);
      await env.kafka.restart();
      back = Date.now();
    };
    await run.load({
      rate: LOAD.rate,
      seconds,
      urls: () => [url],
      during: [{ atMs: (seconds * 1000) / 3, run: crashAndRestart }],
    });
    const figures = await run.settle('broker killed and restarted');
    ChaosRun.expectIntact(figures);
    figures.notes = {
      'outbox rows when the broker came back': backlogAtReturn,
      'outbox drained after the broker returned, ms': (await drainedAt(env)) - back,
    };
    report(figures);
    expect(backlogAtReturn, 'the outbox kept events while the broker was down').toBeGreaterThan(0);
    expect(figures.refusedRequests, 'ingestion kept answering while the broker was down').toBe(0);
    await service.kill('SIGTERM');
  });
});

/** When the outbox was last seen with rows, approximately: its newest row's deletion is not recorded, so the settle time stands in. */
async function drainedAt(env: ReturnType<typeof useChaosEnv>): Promise<number> {
  const row = await env.db('inbox').max<{ max: Date | null }>('processed_at as max').first();
  return row?.max?.getTime() ?? Date.now();
}
