// Scenario D, end to end: ads POSTed to /v1/ads of a service running the api, relay and matcher roles
// (in this process), with 10,000 hunts loaded, at 100 ads/s, at 1,000 ads/s and at saturation. Each
// lead is timed from the start of the request that carried its ad to the moment a separate kafkajs
// consumer reads its LeadCreated on leads.created (decoded with the codec). Sustained ads/s: ads of
// the phase over the time until the matcher had processed all of them and the outbox was empty;
// the backlog (ads accepted but not yet matched) is sampled to tell whether it grows.
import type { Ad } from '../../src/domain/types.js';
import { generateAds, generateHunts } from '../data/generate.js';
import { insertAccounts, insertHunts } from '../data/load.js';
import { driveAds, postAds, SATURATION_MAX_BACKLOG, startLeadReader } from '../lib/adLoad.js';
import { trackMemory } from '../lib/memory.js';
import { emptyReport } from '../lib/report.js';
import { Samples, sleep, summarize, until } from '../lib/stats.js';
import { pct, type Scenario } from './context.js';

/** At saturation, no new request while this many accepted ads wait for the matcher (closed loop). */
/** A phase whose backlog is not worked off by then ends the scenario (the next phases would measure the backlog). */
const DRAIN_TIMEOUT_MS = 5 * 60_000;

interface Phase {
  name: string;
  /** Ads per second; 0 = as fast as the whole pipeline goes (closed loop, bounded backlog). */
  rate: number;
  seconds: number;
  perRequest: number;
  /** Requests in flight at saturation. */
  inFlight?: number;
}

export const endToEnd: Scenario = {
  id: 'D',
  title: 'End to end: POST /v1/ads to LeadCreated read by a consumer',
  async run(ctx) {
    const huntCount = ctx.quick ? 300 : 10_000;
    const phases: Phase[] = ctx.quick
      ? [
          { name: '50 ads/s', rate: 50, seconds: 3, perRequest: 5 },
          { name: '200 ads/s', rate: 200, seconds: 3, perRequest: 20 },
          { name: 'saturation', rate: 0, seconds: 3, perRequest: 100, inFlight: 2 },
        ]
      : [
          { name: '100 ads/s', rate: 100, seconds: 20, perRequest: 10 },
          { name: '1,000 ads/s', rate: 1000, seconds: 10, perRequest: 50 },
          { name: 'saturation', rate: 0, seconds: 20, perRequest: 200, inFlight: 4 },
        ];
    const { rows, checks, targets, notes } = emptyReport();

    const { hunts, accountIds } = generateHunts(ctx.seed + 3, huntCount, { now: ctx.now });
    const database = await ctx.env.database('d', { poolMax: 4 });
    await insertAccounts(database.db, accountIds);
    await insertHunts(database.db, hunts);
    await database.db.raw('VACUUM ANALYZE');
    const topics = ctx.env.topics('d');
    const memory = trackMemory();
    const service = await ctx.env.startService(database.url, topics, {
      ROLES: 'api,relay,matcher',
      OUTBOX_POLL_MS: '1000',
    });
    const matcherGroup = `${topics.prefix}matcher`;

    // The downstream reader.
    const sentAt = new Map<string, number>();
    let samples = new Samples();
    let leadsRead = 0;
    const reader = await startLeadReader(
      ctx.env.kafka,
      topics,
      (lead, at) => {
        leadsRead++;
        const t = sentAt.get(lead.ad.externalId);
        if (t !== undefined) samples.push(at - t);
      },
      30_000,
    );

    const count = async (sql: string, bindings: unknown[] = []) =>
      Number((await database.db.raw<{ rows: Array<{ n: string }> }>(sql, bindings as never[])).rows[0]!.n);
    const matched = () => count('SELECT count(*) AS n FROM inbox WHERE consumer = ?', [matcherGroup]);
    const outboxRows = () => count('SELECT count(*) AS n FROM outbox');
    const leadsInDb = () => count('SELECT count(*) AS n FROM leads');

    let externalBase = 3_200_000_000;
    let acceptedTotal = 0;
    for (const phase of phases) {
      ctx.log(`D: ${phase.name} for ${phase.seconds}s`);
      const adCount = phase.rate > 0 ? phase.rate * phase.seconds : ctx.quick ? 4000 : 80_000;
      const ads = generateAds(ctx.seed + externalBase, adCount, {
        now: ctx.now,
        windowDays: 0.01,
        externalIdBase: externalBase,
      });
      externalBase += 1_000_000;
      samples = new Samples();
      const matchedBefore = await matched();
      let accepted = 0;
      let failedRequests = 0;
      const post = async (chunk: Ad[]) => {
        const t = performance.now();
        for (const ad of chunk) sentAt.set(ad.externalId, t);
        const inserted = await postAds(service.url, chunk);
        if (inserted === null) failedRequests++;
        else accepted += inserted;
      };

      // Backlog: ads accepted by the API that the matcher has not processed yet.
      const backlog: Array<{ t: number; backlog: number }> = [];
      let sampling = true;
      const started = performance.now();
      const sampler = (async () => {
        while (sampling) {
          await sleep(500);
          backlog.push({
            t: (performance.now() - started) / 1000,
            backlog: accepted - ((await matched()) - matchedBefore),
          });
        }
      })();

      await driveAds(
        ads,
        { rate: phase.rate, perRequest: phase.perRequest, seconds: phase.seconds, inFlight: phase.inFlight ?? 4 },
        post,
        async () => accepted - ((await matched()) - matchedBefore),
      );
      const sendSeconds = (performance.now() - started) / 1000;
      const backlogAtEnd = accepted - ((await matched()) - matchedBefore);
      let drained = true;
      await until(
        async () =>
          (await matched()) - matchedBefore >= accepted &&
          (await outboxRows()) === 0 &&
          leadsRead >= (await leadsInDb()),
        `the matcher and the reader to catch up (${phase.name})`,
        DRAIN_TIMEOUT_MS,
        100,
      ).catch(() => (drained = false));
      sampling = false;
      await sampler;
      acceptedTotal += accepted;
      const totalSeconds = (performance.now() - started) / 1000;
      const drainSeconds = totalSeconds - sendSeconds;
      const latency = summarize(samples.values());
      const sustained = accepted / totalSeconds;
      const secondHalf = backlog.filter((b) => b.t > sendSeconds / 2 && b.t <= sendSeconds);
      // At saturation the closed loop bounds the backlog: only a paced phase can grow one.
      const grows =
        phase.rate > 0 &&
        secondHalf.length >= 2 &&
        secondHalf[secondHalf.length - 1]!.backlog > secondHalf[0]!.backlog + (phase.rate || sustained) * 0.5;
      checks.push({
        name: `D ${phase.name}: ads accepted and leads read`,
        ok: accepted > 0 && failedRequests === 0 && samples.length > 0,
        detail: `${accepted} ads accepted, ${failedRequests} failed requests, ${samples.length} leads timed`,
      });
      if (!drained) {
        const left = accepted - ((await matched()) - matchedBefore);
        checks.push({
          name: `D ${phase.name}: backlog worked off`,
          ok: false,
          detail: `${left} ads not matched and ${await outboxRows()} outbox rows left ${DRAIN_TIMEOUT_MS / 1000} s after the phase; later phases skipped`,
        });
      }
      rows.push({
        case: `POST /v1/ads at ${phase.name}${phase.rate === 0 ? ` (${phase.inFlight} x ${phase.perRequest} ads in flight)` : ` (${phase.perRequest}/request)`}`,
        throughput: { value: sustained, unit: 'ads/s' },
        latencyMs: latency,
        comparison: `ingest ${Math.round(accepted / sendSeconds)} ads/s; backlog ${backlogAtEnd} at end, ${drained ? `drained in ${drainSeconds.toFixed(1)} s` : 'NOT drained'}${grows ? ', growing' : ''}`,
        details: {
          ads: accepted,
          sendSeconds,
          drainSeconds,
          drained,
          backlogAtEnd,
          backlogGrows: grows,
          leadsTimed: samples.length,
          maxBacklog: Math.max(0, ...backlog.map((b) => b.backlog)),
        },
      });
      if (!ctx.quick && phase.rate === 100)
        targets.push({
          name: 'p99 request -> LeadCreated at 100 ads/s',
          goal: '< 250 ms',
          measured: `${latency.p99.toFixed(0)} ms`,
          met: latency.p99 < 250,
        });
      if (!ctx.quick && phase.rate === 1000) {
        const kept = accepted / sendSeconds >= 950 && !grows && drainSeconds < 2;
        targets.push({
          name: '1,000 ads/s sustained without a growing backlog',
          goal: 'ingest 1,000 ads/s, backlog flat',
          measured: `ingest ${Math.round(accepted / sendSeconds)} ads/s, backlog ${backlogAtEnd} at end, drained in ${drainSeconds.toFixed(1)} s`,
          met: kept,
        });
      }
      if (!ctx.quick && phase.rate === 0) {
        targets.push({
          name: 'sustained ads/s at saturation',
          goal: '>= 1,000 ads/s',
          measured: `${Math.round(sustained)} ads/s`,
          met: sustained >= 1000,
        });
        const events = await ctx.env.countMessages(topics.name('ads.scraped'));
        notes.push(
          `At saturation (closed loop: at most ${SATURATION_MAX_BACKLOG} ads waiting for the matcher) ${Math.round(sustained)} ads/s means about ${Math.round(sustained * (1 + leadsRead / Math.max(1, events)))} events/s through the relay (AdScraped + LeadCreated, SendMessage aside): ${pct(sustained * (1 + leadsRead / Math.max(1, events)), ctx.ceilings.kafkaMessagesPerS)}.`,
        );
      }
      if (!drained) break;
    }
    await reader.stop();
    const peak = memory.stop();
    for (const r of rows) r.peakRssMb = peak.peakRssMb;
    checks.push({
      name: 'D: every LeadCreated decodes',
      ok: reader.undecodable() === 0,
      detail: `${reader.undecodable()} undecodable of ${leadsRead + reader.undecodable()}`,
    });
    notes.push(
      `${huntCount} hunts, ${acceptedTotal} ads posted in all, ${leadsRead} LeadCreated read; service, HTTP client and reader share this process.`,
    );
    await ctx.env.stopService(service);
    return {
      sizes: { hunts: huntCount, phases: phases.map((p) => `${p.name} ${p.seconds}s`).join(', ') },
      rows,
      checks,
      targets,
      notes,
      peakRssMb: peak.peakRssMb,
    };
  },
};
