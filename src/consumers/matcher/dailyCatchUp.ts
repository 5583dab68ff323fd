// The daily catch-up, on DailyTick: every active hunt with autoRefresh is matched against the ads
// scraped since its lastScanAt (or the backfill window), creating what is missing (ads a stopped
// matcher never saw, hunts changed while the index lagged), and leads held back by pacing are
// contacted while their ad is fresh.
//
// Hunts are processed in groups (all hunts of an account in the same group, for attribution): a group
// builds a hunt index and streams the ads once, instead of one SQL query per hunt. A group is finished
// when its hunts get last_tick_id = this tick, in the transaction that also counts it in ticks.hunts_done,
// so a tick redelivered halfway resumes with the hunts not yet finished.
import pLimit from 'p-limit';
import { attributeToOldest } from '../../domain/contactDecision.js';
import { createHuntIndex } from '../../domain/huntIndex.js';
import type { Hunt } from '../../domain/types.js';
import { adFromRow, type AdRow } from '../../sql/rows/adRow.js';
import { causeOf } from '../../events/envelope.js';
import type { ServiceContext } from '../../service.js';
import { TransientError } from '../pipeline/failures.js';
import { startConsumer, type ConsumedEvent, type HandlerContext } from '../pipeline/pipeline.js';
import { loadActiveHunts, streamAds } from './huntQueries.js';
import { contactLeads, recordMatches, type Match } from './recordMatches.js';

export const TICK_GROUP_SIZE = 5000;

export function startDailyCatchUp(ctx: ServiceContext, options: { groupSize?: number } = {}) {
  return startConsumer(ctx.pipeline, {
    name: 'matcher-ticks',
    topics: ['hunts.ticks'],
    eventTypes: ['DailyTick'],
    batchSize: 1,
    prepare: (event, hc) => catchUp(ctx, event, hc, options.groupSize ?? TICK_GROUP_SIZE),
    handle: async (trx, events) => {
      for (const e of events) await trx('ticks').where({ tick_id: e.value.tickId }).update({ completed_at: ctx.clock.now() });
    },
  });
}

async function catchUp(ctx: ServiceContext, event: ConsumedEvent<'DailyTick'>, hc: HandlerContext, groupSize: number) {
  const { tickId, day } = event.value;
  const log = hc.log.child({ tickId });
  const started = ctx.clock.now();
  // The tick row exists when the tick came from recordTick; make sure of it for any other producer.
  await ctx.db('ticks')
    .insert({ tick_id: tickId, day, event_id: event.eventId, requested_by: event.value.requestedBy, created_at: started })
    .onConflict('tick_id')
    .ignore();
  await ctx.db('ticks').where({ tick_id: tickId }).whereNull('started_at').update({ started_at: started });

  const hunts = (await loadActiveHunts(ctx.db)).filter((h) => h.autoRefresh);
  const finished = new Set(
    (await ctx.db('hunts').whereIn('id', hunts.map((h) => h.id)).where({ last_tick_id: tickId }).pluck('id')) as string[],
  );
  const todo = hunts.filter((h) => !finished.has(h.id));
  const total = hunts.length;
  let done = total - todo.length;
  await ctx.db('ticks').where({ tick_id: tickId }).update({ hunts_total: total, hunts_done: done });
  ctx.metrics.tickTotal.set({ tick: tickId }, total);
  ctx.metrics.tickProgress.set({ tick: tickId }, done);
  log.info({ hunts: total, remaining: todo.length }, done > 0 ? 'daily catch-up resumed' : 'daily catch-up started');

  const limit = pLimit(ctx.config.tick.concurrency);
  const totals = { leads: 0, contacted: 0, heldBackContacted: 0 };
  await Promise.all(
    groupByAccount(todo, groupSize).map((group) =>
      limit(async () => {
        if (!hc.isRunning()) return; // redelivered later, resumes with the unfinished groups
        const r = await catchUpGroup(ctx, event, hc, group, day);
        totals.leads += r.leads;
        totals.contacted += r.contacted;
        totals.heldBackContacted += r.heldBackContacted;
        done += group.length;
        ctx.metrics.tickProgress.set({ tick: tickId }, done);
        log.info({ ...r }, `hunt ${done}/${total}`);
      }),
    ),
  );
  if (!hc.isRunning()) throw new TransientError('stopping before the daily catch-up finished; it resumes on redelivery');
  log.info({ hunts: total, ...totals, ms: ctx.clock.now().getTime() - started.getTime() }, 'daily catch-up finished');
}

async function catchUpGroup(ctx: ServiceContext, event: ConsumedEvent<'DailyTick'>, hc: HandlerContext, group: Hunt[], pacingDay: string) {
  const scanStartedAt = ctx.clock.now();
  const windowStart = new Date(scanStartedAt.getTime() - ctx.config.matching.backfillDays * 86_400_000);
  const sinceOf = (h: Hunt) => (h.lastScanAt && h.lastScanAt > windowStart ? h.lastScanAt : windowStart);
  const index = createHuntIndex();
  for (const h of group) index.upsert(h);
  const since = new Date(Math.min(...group.map((h) => sinceOf(h).getTime())));
  const deps = { outbox: ctx.outbox, now: scanStartedAt, pacingDay };
  const cause = causeOf(event);
  let leads = 0;
  let contacted = 0;

  for await (const ads of streamAds(ctx.db, { scrapedSince: since })) {
    const matches: Match[] = [];
    for (const ad of ads) {
      // Each hunt looks only at the ads scraped since its own last scan.
      const found = index.match(ad).filter((c) => ad.scrapedAt >= sinceOf(c.hunt).getTime());
      for (const { hunt } of attributeToOldest(found)) matches.push({ hunt, ad, cause });
    }
    if (matches.length > 0) {
      const r = await ctx.db.transaction((trx) => recordMatches(trx, deps, matches));
      leads += r.leadsCreated;
      contacted += r.contacted;
    }
    await hc.heartbeat();
  }

  const heldBackContacted = await contactHeldBack(ctx, group, deps, cause);
  await ctx.db.transaction(async (trx) => {
    await trx('hunts').whereIn('id', group.map((h) => h.id)).update({ last_scan_at: scanStartedAt, last_tick_id: event.value.tickId });
    await trx('ticks').where({ tick_id: event.value.tickId }).increment('hunts_done', group.length);
  });
  ctx.metrics.leadsCreated.inc({ contacted: 'true' }, contacted);
  ctx.metrics.leadsCreated.inc({ contacted: 'false' }, leads - contacted);
  return { hunts: group.length, leads, contacted, heldBackContacted };
}

/** Leads held back by pacing on earlier days, contacted now if their ad is still fresh and pacing allows. */
async function contactHeldBack(ctx: ServiceContext, group: Hunt[], deps: { outbox: ServiceContext['outbox']; now: Date; pacingDay: string }, cause: { eventId: string; correlationId: string }) {
  const paced = new Map(group.filter((h) => h.outreach).map((h) => [h.id, h]));
  if (paced.size === 0) return 0;
  const freshSince = new Date(deps.now.getTime() - ctx.config.matching.contactMaxAgeDays * 86_400_000);
  return ctx.db.transaction(async (trx) => {
    const rows = (await trx('leads as l')
      .join('ads as a', 'a.id', 'l.ad_id')
      .whereIn('l.hunt_id', [...paced.keys()])
      .where({ 'l.stage': 'nouveau', 'l.reason': 'pacing' })
      .whereRaw('coalesce(a.first_published_at, a.created_at) >= ?', [freshSince])
      .orderBy('l.created_at')
      .forUpdate('l')
      .select('l.id as lead_id', 'l.hunt_id', 'a.*')) as Array<AdRow & { lead_id: string; hunt_id: string }>;
    if (rows.length === 0) return 0;
    const outcomes = await contactLeads(
      trx,
      deps,
      rows.map((r) => ({ leadId: r.lead_id, hunt: paced.get(r.hunt_id)!, ad: adFromRow(r), cause })),
    );
    return [...outcomes.values()].filter((o) => o.contacted).length;
  });
}

/** Groups of about `size` hunts, never splitting an account (attribution looks across its hunts). */
function groupByAccount(hunts: Hunt[], size: number): Hunt[][] {
  const byAccount = new Map<string, Hunt[]>();
  for (const h of hunts) {
    const list = byAccount.get(h.accountId);
    if (list) list.push(h);
    else byAccount.set(h.accountId, [h]);
  }
  const groups: Hunt[][] = [];
  let current: Hunt[] = [];
  for (const list of byAccount.values()) {
    current.push(...list);
    if (current.length >= size) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
