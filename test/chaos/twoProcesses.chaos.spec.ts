import { describe, expect, it } from 'vitest';
import type { ChildService } from '../../testkit/childService.js';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, report } from '../../testkit/chaos/chaosRun.js';

const env = useChaosEnv();

describe('two service processes with every role under load, one killed with SIGKILL', () => {
  it('keep pacing and the per-account send rate exact, lose no ad and make nothing twice', async () => {
    const pacing = FULL ? 40 : 15;
    const rate = FULL ? 30 : 12;
    const run = new ChaosRun(env, { accounts: FULL ? 6 : 3 });
    await run.seed({ dailyPacingLimit: pacing });
    const overrides = { SEND_RATE_PER_MINUTE: String(rate) };
    const a: ChildService = env.start({ ...overrides, INSTANCE_ID: 'chaos-a' });
    const b: ChildService = env.start({ ...overrides, INSTANCE_ID: 'chaos-b' });
    const urls = await Promise.all(
      [a, b].map(async (c) => ((await c.waitForLog('hunt-matcher started', 60_000)) as { url: string }).url),
    );
    let alive = [...urls];
    const seconds = FULL ? 40 : 20;
    const started = Date.now();
    await run.load({
      rate: FULL ? 30 : 10,
      seconds,
      urls: () => alive,
      during: [
        {
          atMs: (seconds * 1000) / 2,
          run: async () => {
            alive = [urls[1]!];
            await a.kill('SIGKILL');
          },
        },
      ],
    });
    // Pacing holds contacts back (leads stay nouveau/pacing) and the rate defers messages by a minute:
    // not everything is contacted or delivered, by design.
    const figures = await run.settle('two processes, one killed', { expectAllContacted: false, timeoutMs: 90_000 });
    ChaosRun.expectIntact(figures, { allContacted: false });
    const perHunt = (
      await env
        .db('leads')
        .join('ads', 'ads.id', 'leads.ad_id')
        .where('ads.brand', run.brand)
        .where('leads.stage', 'contacte')
        .groupBy('leads.hunt_id')
        .count<Array<{ count: number }>>('* as count')
    ).map((r) => Number(r.count));
    const counters = (await env.db('hunt_daily_contacts').pluck('contacts')) as number[];
    // Gateway calls per account in the first minute of the run.
    const accountOf = new Map(
      (await env.db('messages').select('id', 'account_id')).map((m: { id: string; account_id: string }) => [
        m.id,
        m.account_id,
      ]),
    );
    const perAccount = new Map<string, Set<string>>();
    for (const r of env.gateway.requests) {
      const account = accountOf.get(r.body.messageId);
      if (!account || r.at > started + 60_000) continue;
      perAccount.set(account, (perAccount.get(account) ?? new Set()).add(r.body.messageId));
    }
    figures.notes = {
      'pacing limit': pacing,
      'contacted per hunt': perHunt.join(', '),
      'rate per minute': rate,
      'gateway calls per account in the first minute': [...perAccount.values()].map((s) => s.size).join(', '),
    };
    report(figures);
    expect(perHunt.length).toBe(run.accounts.length);
    for (const n of perHunt) expect(n, 'contacts per hunt today: exactly the pacing limit').toBe(pacing);
    for (const n of counters) expect(n, 'the pacing counters agree').toBe(pacing);
    for (const calls of perAccount.values())
      expect(calls.size, 'gateway calls per account in a minute: the rate, not more').toBeLessThanOrEqual(rate);
    expect(
      [...perAccount.values()].some((c) => c.size === rate),
      'the rate was reached',
    ).toBe(true);
    await b.kill('SIGTERM');
  });
});
