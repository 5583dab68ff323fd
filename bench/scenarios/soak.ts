// Scenario soak: the service as one child process with every role, as `npm start` runs it,
// in the dense world (10,000 hunts over 500 accounts created through the API), under a steady 50 ads/s
// for 10 minutes. Every 30 s it notes, from outside, the service's resident memory, heap and event-loop
// delay (its /metrics: prom-client's default metrics), the outbox's size and the lag of the matcher's
// and the sender's consumer groups, and the request -> gateway call latency of that window; the
// targets say whether memory, event-loop delay, outbox and lag stayed flat. Not part of a plain
// `npm run bench` (it takes 11 minutes or more): `npm run bench -- --scenario soak`. Knobs:
// BENCH_SOAK_SECONDS (600; quick 20), BENCH_SOAK_RATE (50 ads/s; quick 20), BENCH_SOAK_EVERY_S (30;
// quick 5), BENCH_DENSITY (dense unless set to light), BENCH_AUTOVACUUM=off (the service's own table
// upkeep off, src/db/tableUpkeep.ts: on a server without autovacuum, nothing vacuums the tables).
import type { Ad } from '../../src/domain/types.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { TOKENS } from '../../testkit/serviceEnv.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { WORLDS, worldOf, type HuntWorld } from '../data/worlds.js';
import { driveAds, postAds } from '../lib/adLoad.js';
import { createHuntsThroughApi, densityOf, huntBodyOf, waitForBackfills } from '../lib/huntsThroughApi.js';
import { emptyReport } from '../lib/report.js';
import { flatness, takeSample, type ServiceSample, type Watched } from '../lib/serviceSamples.js';
import { Samples, sleep, summarize, until } from '../lib/stats.js';
import type { Scenario } from './context.js';

const DRAIN_TIMEOUT_MS = 3 * 60_000;

const knob = (name: string, quick: boolean, full: number, short: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? short : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return n;
};

export const soak: Scenario = {
  id: 'SOAK',
  title:
    'Soak: a steady 50 ads/s for 10 minutes in the dense world; memory, event-loop delay, outbox and consumer lag every 30 s',
  optIn: true,
  async run(ctx) {
    const { rows, checks, targets, notes } = emptyReport();
    const seconds = knob('BENCH_SOAK_SECONDS', ctx.quick, 600, 20);
    const rate = knob('BENCH_SOAK_RATE', ctx.quick, 50, 20);
    const every = knob('BENCH_SOAK_EVERY_S', ctx.quick, 30, 5);
    const base = process.env.BENCH_DENSITY ? worldOf(process.env.BENCH_DENSITY) : WORLDS.dense;
    const world: HuntWorld = ctx.quick && base.accounts !== undefined ? { ...base, accounts: 50 } : base;
    const huntCount = ctx.quick ? 1000 : 10_000;
    const { hunts } = generateHunts(ctx.seed + 3, huntCount, { now: ctx.now, world });

    const database = await ctx.env.database('soak', { poolMax: 4 });
    const topics = ctx.env.topics('soak');
    await ctx.env.ensureTopics(topics);
    const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 200 }));
    const admin = ctx.env.kafka.admin();
    await admin.connect();
    let child: ChildService | undefined;
    const upkeep = process.env.BENCH_AUTOVACUUM === 'off' ? 'off' : 'on';
    try {
      child = startChildService(
        ctx.env.serviceEnv(database.url, topics, {
          INSTANCE_ID: 'bench-soak',
          LOG_LEVEL: 'info',
          MESSAGE_GATEWAY_URL: gateway.url,
          SEND_RATE_PER_MINUTE: '100000',
          TABLE_UPKEEP: upkeep,
        }),
        { keepOutput: 200_000 },
      );
      const { url } = (await child.waitForLog('hunt-matcher started', 120_000)) as { url: string };
      const log = (m: string) => ctx.log(`soak: ${m}`);
      const created = await createHuntsThroughApi(url, hunts, log, huntBodyOf);
      const backfilled = await waitForBackfills(database.db, topics.prefix, hunts.length, log);
      log(
        `${hunts.length} hunts created in ${created.seconds.toFixed(1)} s and backfilled; ${rate} ads/s for ${seconds} s, a sample every ${every} s`,
      );

      const watched: Watched = {
        metricsUrl: `${url}/metrics`,
        db: database.db,
        admin,
        groups: {
          matcher: { groupId: `${topics.prefix}matcher`, topic: topics.name('ads.scraped') },
          sender: { groupId: `${topics.prefix}sender`, topic: topics.name('messages.send') },
        },
      };
      const ads = generateAds(ctx.seed + 7_700_000_000, Math.ceil(rate * seconds), {
        now: ctx.now,
        windowDays: 0.01,
        externalIdBase: 7_700_000_000,
      });
      const requestAt = new Map<string, number>();
      const acceptedAt: number[] = [];
      let failed = 0;
      const matched = async () =>
        Number(
          (
            await database.db.raw<{ rows: Array<{ n: string }> }>(
              'SELECT count(*) AS n FROM inbox WHERE consumer = ?',
              [`${topics.prefix}matcher`],
            )
          ).rows[0]!.n,
        );
      const post = async (chunk: Ad[]) => {
        const t = performance.timeOrigin + performance.now();
        for (const ad of chunk) requestAt.set(ad.externalId, t);
        const inserted = await postAds(url, chunk);
        if (inserted === null) failed++;
        else for (let i = 0; i < inserted; i++) acceptedAt.push(t);
      };

      // The first scrape resets the event-loop histogram, so that the first sample covers its window only.
      const first = await takeSample(watched, 0);
      const started = performance.timeOrigin + performance.now();
      const samples: ServiceSample[] = [];
      // One sample at the end of each window, the last one as the load ends.
      const sampler = (async () => {
        for (let k = 1; k <= Math.floor(seconds / every); k++) {
          const wait = started + k * every * 1000 - (performance.timeOrigin + performance.now());
          if (wait > 0) await sleep(wait);
          const s = await takeSample(watched, k * every);
          const previous = samples.at(-1) ?? first;
          samples.push(s);
          log(
            `${s.at} s: RSS ${s.rssMb.toFixed(0)} MB, heap ${s.heapUsedMb.toFixed(0)} MB (old ${s.oldSpaceMb.toFixed(0)}, external ${s.externalMb.toFixed(0)}), loop p99 ${s.loopP99Ms.toFixed(1)} ms, outbox ${s.outboxRows}, lag matcher ${s.lag.matcher} sender ${s.lag.sender}`,
          );
          log(
            `${s.at} s: CPU ${(((s.cpuSeconds - previous.cpuSeconds) / every) * 100).toFixed(0)}% of a core; ${windowHops(previous, s)}; dead rows ${Object.entries(
              s.deadRows,
            )
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')}`,
          );
        }
      })();
      await driveAds(
        ads,
        { rate, perRequest: Math.max(1, Math.round(rate / 10)), seconds, inFlight: 4 },
        post,
        async () => 0,
      );
      await sampler;
      const loadSeconds = (performance.timeOrigin + performance.now() - started) / 1000;

      const posted = [...requestAt.keys()];
      const messagesOf = async () =>
        (
          await database.db.raw<{ rows: Array<{ id: string; external_id: string }> }>(
            'SELECT m.id, a.external_id FROM messages m JOIN ads a ON a.id = m.ad_id WHERE a.external_id = ANY(?)',
            [posted],
          )
        ).rows;
      const firstCall = () => {
        const calls = new Map<string, number>();
        for (const r of gateway.requests) if (!calls.has(r.body.messageId)) calls.set(r.body.messageId, r.at);
        return calls;
      };
      let drained = true;
      let messages: Array<{ id: string; external_id: string }> = [];
      await until(
        async () => {
          if ((await matched()) < acceptedAt.length) return false;
          if (
            Number(
              (await database.db.raw<{ rows: Array<{ n: string }> }>('SELECT count(*) AS n FROM outbox')).rows[0]!.n,
            ) > 0
          )
            return false;
          messages = await messagesOf();
          const calls = firstCall();
          return messages.every((m) => calls.has(m.id));
        },
        'soak: every contact delivered',
        DRAIN_TIMEOUT_MS,
        500,
      ).catch(() => (drained = false));

      // Each window's request -> gateway call latency, by the time of the call.
      const calls = firstCall();
      const windows = samples.map(() => new Samples());
      for (const m of messages) {
        const call = calls.get(m.id);
        const t = requestAt.get(m.external_id);
        if (call === undefined || t === undefined) continue;
        const w = Math.floor((call - started) / 1000 / every);
        windows[Math.min(Math.max(w, 0), windows.length - 1)]?.push(call - t);
      }
      for (const [i, s] of samples.entries()) {
        const from = started + (s.at - every) * 1000;
        const inWindow = acceptedAt.filter((t) => t >= from && t < from + every * 1000).length;
        rows.push({
          case: `${world.name}, ${s.at} s: request -> gateway call of the window`,
          throughput: { value: inWindow / every, unit: 'ads/s' },
          latencyMs: summarize(windows[i]!.values()),
          peakRssMb: Math.round(s.rssMb),
          comparison: `loop p99 ${s.loopP99Ms.toFixed(1)} ms (max ${s.loopMaxMs.toFixed(0)}); heap ${s.heapUsedMb.toFixed(0)} MB; outbox ${s.outboxRows}; lag matcher ${s.lag.matcher}, sender ${s.lag.sender}`,
          details: {
            at: s.at,
            rssMb: s.rssMb,
            heapUsedMb: s.heapUsedMb,
            loopP99Ms: s.loopP99Ms,
            loopMaxMs: s.loopMaxMs,
            loopMeanMs: s.loopMeanMs,
            outboxRows: s.outboxRows,
            matcherLag: s.lag.matcher ?? NaN,
            senderLag: s.lag.sender ?? NaN,
          },
        });
      }

      const fmt = (v: number, unit: string) => `${v.toFixed(v >= 100 ? 0 : 1)}${unit}`;
      const flatTarget = (
        name: string,
        series: number[],
        unit: string,
        allowance: { relative: number; absolute: number },
      ) => {
        const f = flatness(series, allowance);
        targets.push({
          name: `${name} flat over ${seconds} s at ${rate} ads/s (${world.name} world)`,
          goal: `last third's median within +${Math.round(allowance.relative * 100)}% or +${allowance.absolute}${unit} of the first third's`,
          measured: `${fmt(f.first, unit)} -> ${fmt(f.last, unit)}`,
          met: f.flat,
        });
      };
      if (samples.length >= 3) {
        flatTarget(
          'service RSS',
          samples.map((s) => s.rssMb),
          ' MB',
          { relative: 0.1, absolute: 30 },
        );
        flatTarget(
          'event-loop delay p99',
          samples.map((s) => s.loopP99Ms),
          ' ms',
          { relative: 0.5, absolute: 10 },
        );
        flatTarget(
          'outbox rows',
          samples.map((s) => s.outboxRows),
          ' rows',
          { relative: 1, absolute: 500 },
        );
        flatTarget(
          'consumer lag (matcher + sender)',
          samples.map((s) => (s.lag.matcher ?? 0) + (s.lag.sender ?? 0)),
          ' messages',
          { relative: 1, absolute: 100 },
        );
      }
      const density = await densityOf(database.db, posted);
      const whole = new Samples();
      for (const w of windows) for (const v of w.values()) whole.push(v);
      const latency = summarize(whole.values());
      checks.push({
        name: 'soak: ads accepted, samples taken, every contact delivered',
        ok: acceptedAt.length > 0 && failed === 0 && samples.length >= 3 && drained,
        detail: `${acceptedAt.length} ads accepted in ${loadSeconds.toFixed(0)} s, ${failed} failed requests, ${samples.length} samples, ${messages.length} contacts${drained ? ', all delivered' : ', NOT all delivered'} (p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms request -> gateway call)`,
      });
      notes.push(
        `soak: ${world.name} world, ${hunts.length} hunts created through POST /v1/hunts in ${created.seconds.toFixed(1)} s (backfills done ${backfilled.toFixed(1)} s later); ${density.leadsPerAd.toFixed(2)} leads and ${density.contactsPerAd.toFixed(2)} contacts per ad measured. One service process with every role (node --import tsx src/main.ts); figures from its /metrics (event-loop delay since the previous sample), the outbox table, and the consumer groups' committed offsets on the broker.`,
      );
      const upkeepRuns = [
        ...(await (await fetch(`${url}/metrics`)).text()).matchAll(
          /^hunt_matcher_table_upkeep_total\{[^}]*\} (\d+)$/gm,
        ),
      ].reduce((n, m) => n + Number(m[1]), 0);
      notes.push(
        upkeep === 'off'
          ? 'soak: BENCH_AUTOVACUUM=off: the service left its tables alone (TABLE_UPKEEP=off).'
          : `soak: the service's table upkeep (src/db/tableUpkeep.ts) ran ${upkeepRuns} VACUUM or ANALYZE (none when the server runs its own autovacuum).`,
      );
      return {
        sizes: {
          world: world.name,
          hunts: hunts.length,
          rate,
          seconds,
          sampleEveryS: every,
          tableUpkeep: upkeep,
        },
        rows,
        checks,
        targets,
        notes,
      };
    } finally {
      const code = await child?.kill('SIGTERM');
      if (child && code !== 0)
        notes.push(`soak: the service process exited with ${code}: ${child.output().slice(-500)}`);
      await admin.disconnect();
      await gateway.close();
    }
  },
};

/** Each hop's mean over the window between two samples, in ms (the service's hunt_matcher_hop_seconds). */
function windowHops(before: ServiceSample, after: ServiceSample): string {
  return Object.entries(after.hops)
    .map(([hop, { count, sum }]) => {
      const n = count - (before.hops[hop]?.count ?? 0);
      return n > 0 ? `${hop} ${(((sum - (before.hops[hop]?.sum ?? 0)) / n) * 1000).toFixed(0)} ms` : undefined;
    })
    .filter((x) => x !== undefined)
    .join(', ');
}
