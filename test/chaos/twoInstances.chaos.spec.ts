import { describe, expect, it } from 'vitest';
import type { ChildService } from '../../testkit/childService.js';
import { waitFor } from '../../testkit/waitFor.js';
import { FULL, useChaosEnv } from '../../testkit/chaos/chaosEnv.js';
import { ChaosRun, LOAD, longestLeadPause, report } from '../../testkit/chaos/chaosRun.js';

const env = useChaosEnv();

/** The sum of a metric's samples, whatever their labels, on a service's /metrics. */
async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const urlOf = async (c: ChildService, timeoutMs = 60_000) =>
  ((await c.waitForLog('hunt-matcher started', timeoutMs)) as { url: string }).url;

describe('two complete instances (every role in each) behind one database and one broker, one of them killed with SIGKILL and restarted twice, under load', () => {
  it('loses no ad, makes nothing twice, delivers every message once, and the restarted instance takes its share again', async () => {
    const run = new ChaosRun(env, { accounts: FULL ? 10 : 4 });
    await run.seed();
    // The restarted process keeps its INSTANCE_ID, as a container restarted in place keeps its hostname:
    // it joins its own hunt-index group again, where its dead member still sits until its session ends.
    const start = (instance: string) => env.start({ INSTANCE_ID: instance });
    let a = start('chaos-a');
    const b = start('chaos-b');
    const [urlA, urlB] = await Promise.all([urlOf(a), urlOf(b)]);
    let alive = [urlA, urlB];
    let turn = 0;
    // Requests alternate between the instances that are up, as behind a load balancer.
    const urls = () => (++turn % 2 ? alive : [...alive].reverse());

    // Kills 12 s apart at least (KAFKA_SESSION_TIMEOUT_MS is 8 s): each restart's recovery is its own.
    const seconds = Math.max(LOAD.seconds, 36);
    const restarts: Array<{ listeningMs: number; startedMs: number }> = [];
    const killAndRestart = async () => {
      alive = [urlB];
      const killedAt = Date.now();
      await a.kill('SIGKILL');
      a = start('chaos-a');
      // Back behind the load balancer once it listens (its /readyz is 200 then: the api role needs only the database).
      const url = ((await a.waitForLog('http listening', 30_000)) as { url: string }).url;
      const listeningMs = Date.now() - killedAt;
      alive = [url, urlB];
      await urlOf(a, 30_000);
      restarts.push({ listeningMs, startedMs: Date.now() - killedAt });
    };
    // One after the other: the second kill waits until the first restart runs every role (under full load a
    // start can outlast the interval, and killing a process still starting would test something else).
    const loadStarted = Date.now();
    const twice = async () => {
      await killAndRestart();
      await new Promise((r) => setTimeout(r, Math.max(0, loadStarted + (2 / 3) * seconds * 1000 - Date.now())));
      await killAndRestart();
    };
    await run.load({
      rate: LOAD.rate,
      seconds,
      urls,
      during: [{ atMs: (seconds * 1000) / 3, run: twice }],
      untilFaultsEnd: true,
      tailSeconds: 5,
    });

    const figures = await run.settle('two instances, one killed and restarted twice');
    const finalA = alive[0]!;
    // Both relays publish a share of the outbox shards once the restarted one has rejoined.
    const shards = await waitFor(
      async () => {
        const owned = [
          await metricSum(finalA, 'hunt_matcher_outbox_relay_shards_owned'),
          await metricSum(urlB, 'hunt_matcher_outbox_relay_shards_owned'),
        ];
        return owned.every((n) => n > 0) && owned;
      },
      { timeoutMs: 30_000, message: 'both relays own shards' },
    );
    figures.notes = {
      restarts: restarts.length,
      'restarted instance taking requests after the kill, ms': restarts.map((r) => r.listeningMs).join(', '),
      'restarted instance running every role (hunt-matcher started) after the kill, ms': restarts
        .map((r) => r.startedMs)
        .join(', '),
      'longest pause between two leads, ms': await longestLeadPause(env, run),
      'leads made by the instance never killed': await metricSum(urlB, 'hunt_matcher_matcher_leads_created_total'),
      'outbox shards owned at the end (restarted, never killed)': shards.join(', '),
    };
    report(figures);
    if (figures.lost > 0 || figures.outboxLeft > 0)
      process.stderr.write(`[chaos-diagnosis] ${JSON.stringify(await run.diagnose())}\n`);
    ChaosRun.expectIntact(figures);
    expect(restarts).toHaveLength(2);
    expect(
      await metricSum(urlB, 'hunt_matcher_matcher_leads_created_total'),
      'the instance never killed matched its share',
    ).toBeGreaterThan(0);
    await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
  });
});
