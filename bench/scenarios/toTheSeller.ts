// Scenario D', the hunter's number: from the start of the POST /v1/ads request that carries an ad to the
// gateway call that reaches its seller, with every role running, measured from outside, in the users'
// world and in the order they meet it. For each rate, a fresh database and service: the service built
// and started as `npm start` runs it (dist/src/main.js with its flags, environment variables alone), as
// one process with every role and as two (api + relay | matcher + sender); 10,000 hunts created through
// POST /v1/hunts (16 in flight) over 500 accounts (bench/data/usersWorld.ts); the load starts once the
// outbox has been empty for 3 s (the backfills of the last hunts still run into it, as they do for a
// dealer who imports his hunts and waits for nothing), after 5 s of warm-up at the rate; then 30 s at
// 10, 100 or 500 ads/s (a request of a tenth of the rate every 100 ms), and after the 500 ads/s phase,
// saturation (closed loop) in the same world. While each paced phase runs, bursts of 50 hunts are
// edited every 2 s (price ceilings raised: each one backfilled while the ads arrive). The harness
// neither analyses nor vacuums: on this machine's PostgreSQL (autovacuum off) the service's own table
// upkeep does (src/db/tableUpkeep.ts), as it does for a user.
// This process is the load generator, the gateway (200 at once, noting when each message arrives) and
// a leads.created reader (request -> LeadCreated). Each phase also reports the service's own per-hop
// histograms (hunt_matcher_hop_seconds) as multiples of the machine's floor from E.
// The guard (quick runs too): the matcher's consume -> commit p50 at the moderate rate must stay within
// GUARD_RATIO times its value at a tenth of that rate; backfills matching the same new ads as the
// continuous matcher showed as a p50 that grew with the rate (the quick world edits harder for that).
import { HOPS, METRIC_PREFIX, type Hop } from '../../src/platform/metrics.js';
import { startChildService, type ChildService } from '../../testkit/childService.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { TOKENS } from '../../testkit/serviceEnv.js';
import { usersWorld, type UsersAd, type UsersHunt, type UsersWorld } from '../data/usersWorld.js';
import { driveAds, startLeadReader } from '../lib/adLoad.js';
import {
  createHuntsThroughApi,
  densityOf,
  editHuntsThroughApi,
  waitForEmptyOutbox,
  type CreatedHunt,
} from '../lib/huntsThroughApi.js';
import { mergeProcesses, parseHistograms, quantile } from '../lib/promHistogram.js';
import { emptyReport } from '../lib/report.js';
import { Samples, sleep, summarize, until } from '../lib/stats.js';
import type { Ceilings, Scenario, ScenarioContext } from './context.js';

interface Phase {
  name: string;
  /** Ads per second; 0 = closed loop at saturation. */
  rate: number;
  seconds: number;
  /** Ads per request (paced phases); a tenth of the rate by default, a request every 100 ms. */
  perRequest?: number;
}

interface Layout {
  name: string;
  /** ROLES of each process. */
  processes: string[];
}

const LAYOUTS: Layout[] = [
  { name: 'one process', processes: ['api,relay,matcher,sender'] },
  { name: 'two processes', processes: ['api,relay', 'matcher,sender'] },
];

/** Each entry is one world: a fresh database and service, its hunts, then its phases in order. */
const FULL: Phase[][] = [
  [{ name: '10 ads/s', rate: 10, seconds: 30 }],
  [{ name: '100 ads/s', rate: 100, seconds: 30 }],
  [
    { name: '500 ads/s', rate: 500, seconds: 30 },
    { name: 'saturation', rate: 0, seconds: 20 },
  ],
];
/**
 * Quick: a small world, the guard's two rates with requests of the same size (so that the matcher's
 * batches have the same shape and only the rate differs), and a taste of saturation.
 */
const QUICK: Phase[][] = [
  [{ name: '10 ads/s', rate: 10, seconds: 10, perRequest: 10 }],
  [
    { name: '100 ads/s', rate: 100, seconds: 10, perRequest: 10 },
    { name: 'saturation', rate: 0, seconds: 3 },
  ],
];

/**
 * During each paced phase, every `everyMs`, `burst` hunts edited at once (price ceilings raised: each
 * backfilled while the ads arrive). The quick world edits harder: its thousand hunts are all backfilled
 * before the load starts, so the edits are what puts backfills beside the continuous matcher, as the
 * last of the 10,000 hunts' backfills do in the full world (BENCH_DP_EDITS=burst/everyMs overrides).
 */
function editsOf(quick: boolean) {
  const [burst, everyMs] = (process.env.BENCH_DP_EDITS ?? (quick ? '200/1000' : '50/2000')).split('/').map(Number);
  return { burst: burst!, everyMs: everyMs! };
}

/** The guard: matcher consume -> commit p50 at GUARD_RATE within GUARD_RATIO times its p50 at a tenth of it. */
const GUARD_RATE = 100;
const GUARD_RATIO = 3;

/** No new request at saturation while this many ads wait; a phase drains for at most this long. */
const DRAIN_TIMEOUT_MS = 3 * 60_000;

/** The floor of each hop: what it cannot be faster than on this machine. */
const FLOOR_OF: Record<Hop, (c: Ceilings) => number | undefined> = {
  ingest_to_publish: (c) => c.produceMs,
  publish_to_matcher: (c) => c.produceMs,
  matcher_consume_to_commit: (c) => c.commitMs,
  match_to_publish: (c) => c.produceMs,
  publish_to_sender: (c) => c.produceMs,
  sender_consume_to_gateway: (c) => c.commitMs,
  request_to_gateway: (c) =>
    c.commitMs !== undefined && c.produceMs !== undefined ? 3 * c.commitMs + 3 * c.produceMs : undefined,
};

export const toTheSeller: Scenario = {
  id: "D'",
  title: "To the seller: POST /v1/ads to the gateway call, in the users' world, as one and two processes",
  async run(ctx) {
    const [huntCount, accounts] = (process.env.BENCH_DP_HUNTS ?? (ctx.quick ? '1000/50' : '10000/500'))
      .split('/')
      .map(Number) as [number, number];
    const world = usersWorld(ctx.seed + 3, huntCount, accounts);
    const { rows, checks, targets, notes } = emptyReport();
    // BENCH_DP_LAYOUTS=1 or 2 runs one layout only; BENCH_DP_RATES=100,500 the worlds of those rates only.
    const onlyLayouts = process.env.BENCH_DP_LAYOUTS?.split(',');
    const onlyRates = process.env.BENCH_DP_RATES?.split(',').map(Number);
    const worlds = (ctx.quick ? QUICK : FULL).filter((w) => !onlyRates || onlyRates.includes(w[0]!.rate));
    let externalBase = 1_100_000_000;
    const matcherP50 = new Map<string, Map<number, number>>();
    for (const layout of LAYOUTS.filter((l) => !onlyLayouts || onlyLayouts.includes(String(l.processes.length)))) {
      const p50s = new Map<number, number>();
      matcherP50.set(layout.name, p50s);
      for (const phases of worlds) {
        const r = await runWorld(ctx, layout, world, phases, externalBase, p50s);
        externalBase += 10_000_000;
        rows.push(...r.rows);
        checks.push(...r.checks);
        targets.push(...r.targets);
        notes.push(...r.notes);
      }
    }
    // The guard: contention between the matcher's paths makes its commit grow with the rate.
    const shapeOf = (rate: number) => worlds.flat().find((p) => p.rate === rate)?.perRequest;
    const sameShape = shapeOf(GUARD_RATE) !== undefined && shapeOf(GUARD_RATE) === shapeOf(GUARD_RATE / 10);
    for (const [layout, p50s] of matcherP50) {
      const moderate = p50s.get(GUARD_RATE);
      const tenth = p50s.get(GUARD_RATE / 10);
      if (moderate === undefined || tenth === undefined || !sameShape) continue;
      // A check on the layout `npm start` runs; the other's ratio is a note (its two processes share
      // two cores with the load generator, so its ratio also measures the machine).
      const check = {
        name: `D' ${layout}: matcher consume -> commit p50 at ${GUARD_RATE} ads/s within ${GUARD_RATIO}x its p50 at ${GUARD_RATE / 10} ads/s`,
        ok: moderate <= GUARD_RATIO * tenth,
        detail: `${fmt(moderate)} ms at ${GUARD_RATE} ads/s, ${fmt(tenth)} ms at ${GUARD_RATE / 10} ads/s (${fmt(moderate / tenth, 2)}x)`,
      };
      if (layout === LAYOUTS[0]!.name) checks.push(check);
      else notes.push(`${check.name}: ${check.detail}`);
    }
    notes.push(
      `The users' world: ${huntCount} hunts over ${accounts} accounts created through POST /v1/hunts (16 in flight) on a fresh database for each world, the load started once the outbox had been empty for 3 s and after 5 s of warm-up at the rate; the service built and run as npm start runs it (LOG_LEVEL=info, SEND_RATE_PER_MINUTE lifted, CONTACT_HOURS_DEFAULT=always); this process posts the ads, plays the gateway (200 at once) and reads leads.created. Hop rows: the service's own hunt_matcher_hop_seconds histograms for the phase (p50/p95/p99 interpolated in their buckets, mean exact), as a multiple of E's floor (one commit ${fmt(ctx.ceilings.commitMs)} ms, one produce ${fmt(ctx.ceilings.produceMs)} ms).`,
    );
    return {
      sizes: {
        world: 'users',
        hunts: huntCount,
        accounts,
        layouts: LAYOUTS.map((l) => l.name).join(', '),
        worlds: worlds.map((w) => w.map((p) => `${p.name} ${p.seconds}s`).join(' then ')).join('; '),
      },
      rows,
      checks,
      targets,
      notes,
    };
  },
};

const fmt = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '?' : v.toFixed(digits));

async function runWorld(
  ctx: ScenarioContext,
  layout: Layout,
  world: UsersWorld,
  phases: Phase[],
  externalBase: number,
  matcherP50: Map<number, number>,
) {
  const { rows, checks, targets, notes } = emptyReport();
  const tag = `${layout.processes.length}p${phases[0]!.rate}`;
  const database = await ctx.env.database(`dp_${tag}`, { poolMax: 2 });
  const topics = ctx.env.topics(`dp${tag}`);
  await ctx.env.ensureTopics(topics);

  const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 200 }));
  const firstCall = new Map<string, number>();
  const seenCalls = () => {
    for (let i = firstCall.size; i < gateway.requests.length; i++) {
      const r = gateway.requests[i]!;
      if (!firstCall.has(r.body.messageId)) firstCall.set(r.body.messageId, r.at);
    }
  };
  const children: ChildService[] = [];
  const urls: string[] = [];
  let apiUrl = '';
  try {
    for (const [i, roles] of layout.processes.entries()) {
      const child = startChildService(
        ctx.env.serviceEnv(database.url, topics, {
          ROLES: roles,
          INSTANCE_ID: `bench-${tag}-${i}`,
          LOG_LEVEL: 'info',
          MESSAGE_GATEWAY_URL: gateway.url,
          SEND_RATE_PER_MINUTE: '100000',
        }),
        { keepOutput: 200_000, built: true },
      );
      children.push(child);
      const started = (await child.waitForLog('hunt-matcher started', 120_000)) as { url: string };
      urls.push(started.url);
      if (roles.includes('api')) apiUrl = started.url;
    }
    // Each process's hop histograms, and its CPU and GC seconds so far: CPU per ad is the figure a
    // busy machine disturbs least.
    const scraped = async () => {
      const texts = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
      const sum = (name: string) =>
        texts.reduce(
          (n, t) =>
            n +
            [...t.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))].reduce(
              (a, m) => a + Number(m[1]),
              0,
            ),
          0,
        );
      return {
        hops: texts.map((t) => parseHistograms(t, `${METRIC_PREFIX}hop_seconds`, 'hop')),
        cpuSeconds: sum('process_cpu_seconds_total'),
        gcSeconds: sum('nodejs_gc_duration_seconds_sum'),
      };
    };

    const created = await createHuntsThroughApi(
      apiUrl,
      world.hunts,
      (m) => ctx.log(`D' ${tag}: ${m}`),
      (h) => h,
      16,
    );
    const quiet = await waitForEmptyOutbox(database.db, 3000);
    const backfilled = await countInbox(database.db, `${topics.prefix}matcher-backfill`);
    notes.push(
      `D' ${layout.name}, world of ${phases[0]!.name}: ${created.created.length} hunts created through the API in ${created.seconds.toFixed(1)} s; the outbox empty for 3 s ${quiet.toFixed(1)} s later, ${backfilled} of the ${created.created.length} backfills done when the warm-up began.`,
    );

    const requestAt = new Map<string, number>();
    let leadSamples = new Samples();
    const reader = await startLeadReader(ctx.env.kafka, topics, (lead, at) => {
      const t = requestAt.get(lead.ad.externalId);
      if (t !== undefined) leadSamples.push(performance.timeOrigin + at - t);
    });
    const matched = () => countInbox(database.db, `${topics.prefix}matcher`);
    const outboxRows = () => countRows(database.db, 'SELECT count(*) AS n FROM outbox');

    // Warm-up at the rate, not measured (at saturation's world: at its first phase's rate).
    const warmRate = phases[0]!.rate;
    await driveAds(
      world.ads(externalBase - 5_000_000, warmRate * (ctx.quick ? 2 : 5)),
      { rate: warmRate, perRequest: Math.max(1, warmRate / 10), seconds: 5, inFlight: 4 },
      async (chunk) => void (await postAds(apiUrl, chunk)),
      async () => 0,
    );

    for (const phase of phases) {
      ctx.log(`D' ${layout.name}: ${phase.name} for ${phase.seconds}s`);
      const adCount = phase.rate > 0 ? phase.rate * phase.seconds : ctx.quick ? 2000 : 40_000;
      const ads = world.ads(externalBase, adCount);
      externalBase += 1_000_000;
      leadSamples = new Samples();
      const before = await scraped();
      const matchedBefore = await matched();
      const posted: string[] = [];
      let accepted = 0;
      let failed = 0;
      const post = async (chunk: UsersAd[]) => {
        const t = performance.timeOrigin + performance.now();
        for (const ad of chunk) {
          requestAt.set(ad.externalId, t);
          posted.push(ad.externalId);
        }
        const inserted = await postAds(apiUrl, chunk);
        if (inserted === null) failed++;
        else accepted += inserted;
      };

      const started = performance.now();
      // While the load runs, bursts of edits (price ceilings raised: each hunt backfilled as ads arrive).
      const edits = editsOf(ctx.quick);
      const editing =
        phase.rate > 0 && edits.burst > 0
          ? editInBursts(apiUrl, created.created, phase.seconds * 1000, edits)
          : undefined;
      // Paced: a request of a tenth of the rate every 100 ms; saturation: 4 requests of 100 ads in flight.
      const perRequest = phase.rate > 0 ? (phase.perRequest ?? Math.max(1, Math.round(phase.rate / 10))) : 100;
      await driveAds(
        ads,
        { rate: phase.rate, perRequest, seconds: phase.seconds, inFlight: 4 },
        post,
        async () => accepted - ((await matched()) - matchedBefore),
      );
      const loadSeconds = (performance.now() - started) / 1000;
      if (editing) {
        const e = await editing;
        notes.push(
          `D' ${layout.name}, ${phase.name}: ${e.edited} hunts edited by PATCH in ${e.bursts} bursts of ${edits.burst} during the load.`,
        );
      }

      // Every ad matched, every event published, then every contact delivered (or the timeout).
      const messagesOf = async () =>
        (
          await database.db.raw<{ rows: Array<{ id: string; external_id: string }> }>(
            'SELECT m.id, a.external_id FROM messages m JOIN ads a ON a.id = m.ad_id WHERE a.external_id = ANY(?)',
            [posted],
          )
        ).rows;
      let deliveredAt10s: number | undefined;
      const tenSecondsAfter = started + loadSeconds * 1000 + 10_000;
      let drained = true;
      let messages: Array<{ id: string; external_id: string }> = [];
      // Once every ad is matched and the outbox is empty, the phase's messages are all written: they are
      // read once, and the rest of the wait looks at the gateway's calls in memory.
      let final = false;
      await until(
        async () => {
          seenCalls();
          if (deliveredAt10s === undefined && performance.now() >= tenSecondsAfter) {
            const ids = final ? messages : await messagesOf();
            deliveredAt10s = ids.filter((m) => firstCall.has(m.id)).length;
          }
          if (!final) {
            if ((await matched()) - matchedBefore < accepted || (await outboxRows()) > 0) return false;
            messages = await messagesOf();
            final = true;
          }
          return messages.every((m) => firstCall.has(m.id));
        },
        `D' ${layout.name} ${phase.name}: every contact delivered`,
        DRAIN_TIMEOUT_MS,
        200,
      ).catch(() => (drained = false));
      seenCalls();
      const totalSeconds = (performance.now() - started) / 1000;
      if (deliveredAt10s === undefined) deliveredAt10s = messages.filter((m) => firstCall.has(m.id)).length;
      const after = await scraped();
      const cpuMsPerAd = accepted > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / accepted : NaN;
      const gcMsPerAd = accepted > 0 ? ((after.gcSeconds - before.gcSeconds) * 1000) / accepted : NaN;

      const toGateway = new Samples();
      for (const m of messages) {
        const call = firstCall.get(m.id);
        const t = requestAt.get(m.external_id);
        if (call !== undefined && t !== undefined) toGateway.push(call - t);
      }
      const latency = summarize(toGateway.values());
      const leads = summarize(leadSamples.values());
      const delivered = messages.filter((m) => firstCall.has(m.id)).length;
      const density = await densityOf(database.db, posted);
      const label = `${layout.name}, ${phase.name}`;
      rows.push({
        case: `${label}: request -> gateway call`,
        throughput: { value: accepted / totalSeconds, unit: 'ads/s' },
        latencyMs: latency,
        comparison: `ingest ${Math.round(accepted / loadSeconds)} ads/s; ${fmt(density.leadsPerAd)} leads, ${fmt(density.contactsPerAd)} contacts per ad; ${delivered}/${messages.length} contacts delivered (${deliveredAt10s} 10 s after the load)${drained ? '' : ', NOT drained'}; service CPU ${fmt(cpuMsPerAd, 2)} ms/ad (GC ${fmt(gcMsPerAd, 2)})`,
        details: {
          ads: accepted,
          contacts: messages.length,
          delivered,
          deliveredAt10s,
          loadSeconds,
          totalSeconds,
          drained,
          failedRequests: failed,
          leadsPerAd: density.leadsPerAd,
          contactsPerAd: density.contactsPerAd,
          cpuMsPerAd,
          gcMsPerAd,
        },
      });
      rows.push({ case: `${label}: request -> LeadCreated read`, latencyMs: leads, details: { leads: leads.count } });
      const hops = mergeProcesses(after.hops, before.hops, HOPS);
      for (const hop of HOPS) {
        const h = hops.get(hop);
        if (!h || h.count === 0) continue;
        const ms = (q: number) => quantile(h, q) * 1000;
        const floor = FLOOR_OF[hop](ctx.ceilings);
        const p50 = ms(0.5);
        if (hop === 'matcher_consume_to_commit' && phase.rate > 0) matcherP50.set(phase.rate, p50);
        rows.push({
          case: `${label}: hop ${hop}`,
          latencyMs: { count: h.count, p50, p95: ms(0.95), p99: ms(0.99), max: NaN, mean: (h.sum / h.count) * 1000 },
          comparison: floor ? `p50 ${fmt(p50 / floor)}x the floor (${fmt(floor)} ms)` : '',
        });
      }
      checks.push({
        name: `D' ${label}: ads accepted and contacts delivered`,
        ok: accepted > 0 && failed === 0 && messages.length > 0 && drained,
        detail: `${accepted} ads accepted, ${failed} failed requests, ${delivered} of ${messages.length} contacts delivered`,
      });
      if (!ctx.quick && layout.processes.length === 1)
        targetsOf(phase, latency, leads, deliveredAt10s, messages.length, accepted / totalSeconds).forEach((t) =>
          targets.push(t),
        );
      if (!drained) {
        notes.push(
          `D' ${label}: not drained after ${DRAIN_TIMEOUT_MS / 1000} s; the world's next phases were skipped.`,
        );
        break;
      }
    }
    await reader.stop();
  } finally {
    for (const c of children) {
      const code = await c.kill('SIGTERM');
      if (code !== 0) notes.push(`D' ${layout.name}: a service process exited with ${code}: ${c.output().slice(-500)}`);
    }
    await gateway.close();
  }
  return { rows, checks, targets, notes };
}

/** Bursts of `burst` edits every `everyMs` for `ms`, a different slice of the hunts each time. */
async function editInBursts(
  apiUrl: string,
  hunts: CreatedHunt<UsersHunt>[],
  ms: number,
  { burst, everyMs }: { burst: number; everyMs: number },
) {
  const end = performance.now() + ms;
  let edited = 0;
  let bursts = 0;
  while (performance.now() < end) {
    const next = performance.now() + everyMs;
    const slice = hunts.slice((bursts * burst) % hunts.length).slice(0, burst);
    edited += (await editHuntsThroughApi(apiUrl, slice, slice.length, 16)).edited;
    bursts++;
    await sleep(Math.max(0, Math.min(next, end) - performance.now()));
  }
  return { edited, bursts };
}

/** The hunter's number's targets, one process (how it is deployed first). */
function targetsOf(
  phase: Phase,
  latency: ReturnType<typeof summarize>,
  leads: ReturnType<typeof summarize>,
  deliveredAt10s: number,
  contacts: number,
  adsPerSecond: number,
) {
  const where = "one process, users' world";
  switch (phase.rate) {
    case 10:
      return [
        {
          name: `p99 request -> gateway call at 10 ads/s (${where})`,
          goal: '<= 250 ms',
          measured: `${latency.p99.toFixed(0)} ms`,
          met: latency.p99 <= 250,
        },
        {
          name: `p99 request -> LeadCreated at 10 ads/s (${where})`,
          goal: '<= 150 ms',
          measured: `${leads.p99.toFixed(0)} ms`,
          met: leads.p99 <= 150,
        },
      ];
    case 100:
      return [
        {
          name: `p99 request -> gateway call at 100 ads/s (${where})`,
          goal: '<= 500 ms',
          measured: `${latency.p99.toFixed(0)} ms`,
          met: latency.p99 <= 500,
        },
        {
          name: `p99 request -> LeadCreated at 100 ads/s (${where})`,
          goal: '<= 300 ms',
          measured: `${leads.p99.toFixed(0)} ms`,
          met: leads.p99 <= 300,
        },
      ];
    case 500:
      return [
        {
          name: `every contact out within 10 s of the load's end at 500 ads/s (${where})`,
          goal: `${contacts}`,
          measured: `${deliveredAt10s}`,
          met: deliveredAt10s === contacts,
        },
      ];
    case 0:
      return [
        {
          name: `sustained ads/s to the seller at saturation (${where})`,
          goal: '>= 500 ads/s',
          measured: `${Math.round(adsPerSecond)} ads/s`,
          met: adsPerSecond >= 500,
        },
      ];
    default:
      return [];
  }
}

async function postAds(apiUrl: string, chunk: UsersAd[]): Promise<number | null> {
  const res = await fetch(`${apiUrl}/v1/ads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.INGEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ads: chunk }),
  });
  if (res.status !== 202) {
    await res.text();
    return null;
  }
  return ((await res.json()) as { inserted: number }).inserted;
}

const countRows = async (db: Parameters<typeof densityOf>[0], sql: string, bindings: unknown[] = []) =>
  Number((await db.raw<{ rows: Array<{ n: string }> }>(sql, bindings as never[])).rows[0]!.n);
const countInbox = (db: Parameters<typeof densityOf>[0], consumer: string) =>
  countRows(db, 'SELECT count(*) AS n FROM inbox WHERE consumer = ?', [consumer]);
