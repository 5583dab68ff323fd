// The daily catch-up, on DailyTick: every active hunt with autoRefresh is matched against the ads
// scraped since its lastScanAt (or the backfill window), creating what is missing (ads a stopped
// matcher never saw, hunts changed while the index lagged), and leads held back by pacing are
// contacted while their ad is fresh.
//
// It is long work with transactions of its own, so it runs as the pipeline's outside-transaction
// stage; the tick's inbox row and completed_at commit together once every group is done.
// Hunts are processed in groups (all hunts of an account in the same group, for attribution): a group
// builds a hunt index and streams the ads once, instead of one SQL query per hunt. A group is finished
// when its hunts get last_tick_id = this tick, in the transaction that also counts it in ticks.hunts_done,
// so a tick redelivered halfway resumes with the hunts not yet finished.
import pLimit from 'p-limit';
import { huntIndexOf } from '../../domain/huntIndex.js';
import { matchAds } from '../../domain/matchAds.js';
import type { Ad, Hunt } from '../../domain/types.js';
import { causeOf, type Cause } from '../../events/envelope.js';
import { completeTick } from '../../sql/ticks/completeTick.js';
import { insertTick } from '../../sql/ticks/insertTick.js';
import { loadActiveHunts } from '../../sql/hunts/loadActiveHunts.js';
import { markHuntsScanned } from '../../sql/hunts/markHuntsScanned.js';
import { selectHeldBackLeads } from '../../sql/leads/selectHeldBackLeads.js';
import { selectHuntsDoneForTick } from '../../sql/ticks/selectHuntsDoneForTick.js';
import { addTickHuntsDone, setTickProgress } from '../../sql/ticks/setTickProgress.js';
import { startTick } from '../../sql/ticks/startTick.js';
import { streamAds } from '../../sql/ads/streamAds.js';
import { Interrupted } from '../pipeline/consumedEvent.js';
import { classify } from '../pipeline/failures.js';
import type { ConsumedEvent, HandlerContext } from '../pipeline/pipeline.js';
import type { MatcherDeps } from './matcherDeps.js';
import { recordAndCount } from './recordAndCount.js';
import { contactLeads, recordDepsOf, type RecordDeps } from './recordMatches.js';

/** Hunts per group: each group reads the ads since its oldest last scan once. */
export const TICK_GROUP_SIZE = 20_000;
/** Ads matched and recorded per transaction of a group. */
const CATCH_UP_PAGE = 1000;
/** Tries of one of the catch-up's transactions that keeps meeting concurrent writers. */
const CONFLICT_ATTEMPTS = 10;

type CatchUpDeps = Pick<
  MatcherDeps,
  'db' | 'consume' | 'outbox' | 'clock' | 'metrics' | 'settings' | 'explainHeldBack'
>;

export function startDailyCatchUp(deps: CatchUpDeps, options: { groupSize?: number } = {}) {
  return deps.consume({
    name: 'matcher-ticks',
    topics: ['hunts.ticks'],
    eventTypes: ['DailyTick'],
    batchSize: 1,
    stage: {
      name: 'daily catch-up',
      run: async (events, hc) => {
        for (const event of events) await catchUp(deps, event, hc, options.groupSize ?? TICK_GROUP_SIZE);
      },
      settle: async (trx, events) => {
        for (const e of events) await completeTick(trx, e.value.tickId, deps.clock.now());
      },
    },
  });
}

async function catchUp(deps: CatchUpDeps, event: ConsumedEvent<'DailyTick'>, hc: HandlerContext, groupSize: number) {
  const { tickId, day } = event.value;
  const log = hc.log.child({ tickId });
  const started = deps.clock.now();
  // The tick row exists when the tick came from recordTick; make sure of it for any other producer.
  await insertTick(deps.db, {
    tickId,
    day,
    eventId: event.eventId,
    requestedBy: event.value.requestedBy,
    createdAt: started,
  });
  await startTick(deps.db, tickId, started);

  const hunts = (await loadActiveHunts(deps.db)).filter((h) => h.autoRefresh);
  const finished = await selectHuntsDoneForTick(
    deps.db,
    hunts.map((h) => h.id),
    tickId,
  );
  const todo = hunts.filter((h) => !finished.has(h.id));
  const total = hunts.length;
  let done = total - todo.length;
  await setTickProgress(deps.db, tickId, total, done);
  deps.metrics.tickTotal.set({ tick: tickId }, total);
  deps.metrics.tickProgress.set({ tick: tickId }, done);
  log.info({ hunts: total, remaining: todo.length }, done > 0 ? 'daily catch-up resumed' : 'daily catch-up started');

  const limit = pLimit(deps.settings.tickConcurrency);
  const totals = { leads: 0, contacted: 0, heldBackContacted: 0 };
  // A group that fails stops the others from starting, and the tick is applied again only once the groups
  // under way have finished: never two catch-ups of one tick at once, each counting its groups done.
  let failure: { error: unknown } | undefined;
  await Promise.all(
    groupByAccount(todo, groupSize).map((group) =>
      limit(async () => {
        if (!hc.isRunning() || failure) return; // redelivered later, resumes with the unfinished groups
        try {
          const r = await catchUpGroup(deps, event, hc, group, day);
          totals.leads += r.leads;
          totals.contacted += r.contacted;
          totals.heldBackContacted += r.heldBackContacted;
          done += group.length;
          deps.metrics.tickProgress.set({ tick: tickId }, done);
          log.info({ ...r }, `hunt ${done}/${total}`);
        } catch (error) {
          failure ??= { error };
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  if (!hc.isRunning()) {
    // Stopping is no failure: nothing is settled, the tick is redelivered and resumes with the groups not done.
    log.info(
      { hunts: total, done, ...totals },
      'daily catch-up stopped before the end; it resumes with the unfinished groups',
    );
    throw new Interrupted();
  }
  log.info({ hunts: total, ...totals, ms: deps.clock.now().getTime() - started.getTime() }, 'daily catch-up finished');
}

async function catchUpGroup(
  deps: CatchUpDeps,
  event: ConsumedEvent<'DailyTick'>,
  hc: HandlerContext,
  group: Hunt[],
  pacingDay: string,
) {
  const scanStartedAt = deps.clock.now();
  const windowStart = new Date(scanStartedAt.getTime() - deps.settings.backfillDays * 86_400_000);
  const sinceOf = (h: Hunt) => (h.lastScanAt && h.lastScanAt > windowStart ? h.lastScanAt : windowStart);
  const index = huntIndexOf(group);
  const since = new Date(Math.min(...group.map((h) => sinceOf(h).getTime())));
  // Pacing is counted on the tick's own day, whenever the catch-up runs.
  const recordDeps = recordDepsOf(deps, scanStartedAt, { pacingDay });
  const cause = causeOf(event);
  // Each hunt looks only at the ads scraped since its own last scan.
  const looksAt = (h: Hunt, ad: Ad) => ad.scrapedAt >= sinceOf(h).getTime();
  let leads = 0;
  let contacted = 0;

  for await (const ads of streamAds(deps.db, { scrapedSince: since }, CATCH_UP_PAGE)) {
    const matches = matchAds(ads, index, { looksAt });
    if (matches.length > 0) {
      const r = await againOnConflict(() =>
        deps.db.transaction((trx) => recordAndCount(trx, deps, recordDeps, 'catch_up', matches, () => cause)),
      );
      leads += r.leadsCreated;
      contacted += r.contacted;
    }
    await hc.heartbeat();
  }

  const heldBackContacted = await contactHeldBack(deps, group, recordDeps, cause);
  await deps.db.transaction(async (trx) => {
    await markHuntsScanned(
      trx,
      group.map((h) => h.id),
      scanStartedAt,
      event.value.tickId,
    );
    await addTickHuntsDone(trx, event.value.tickId, group.length);
  });
  return { hunts: group.length, leads, contacted, heldBackContacted };
}

/** Leads held back by pacing on earlier days, contacted now if their ad is still fresh and pacing allows. */
async function contactHeldBack(deps: CatchUpDeps, group: Hunt[], recordDeps: RecordDeps, cause: Cause) {
  const paced = new Map(group.filter((h) => h.outreach).map((h) => [h.id, h]));
  if (paced.size === 0) return 0;
  const freshSince = new Date(recordDeps.now.getTime() - deps.settings.contactMaxAgeDays * 86_400_000);
  return againOnConflict(() =>
    deps.db.transaction(async (trx) => {
      const held = await selectHeldBackLeads(trx, [...paced.keys()], freshSince);
      if (held.length === 0) return 0;
      const outcomes = await contactLeads(
        trx,
        recordDeps,
        held.map((l) => ({ leadId: l.leadId, hunt: paced.get(l.huntId)!, ad: l.ad, cause })),
      );
      return [...outcomes.values()].filter((o) => o.contacted).length;
    }),
  );
}

/**
 * Its own transaction applied again, with fresh reads, when a concurrent writer got there first (the
 * continuous matcher making a lead of a live ad the catch-up reads too): a conflict costs one page, not the
 * whole catch-up, which the pipeline would otherwise apply again from the start, and give up after a few.
 */
async function againOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= CONFLICT_ATTEMPTS || classify(error) !== 'conflict') throw error;
    }
  }
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
