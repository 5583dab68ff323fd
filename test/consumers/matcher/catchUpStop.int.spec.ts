// The daily catch-up stopping halfway (the process is told to stop): it says Interrupted, which the
// pipeline passes on without a retry or a failure logged, and it settles nothing, so the tick is
// redelivered and resumes with the groups not done. Meeting a concurrent writer, it applies the page
// again instead of failing the whole tick; and it resumes however many hunts are active.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startDailyCatchUp } from '../../../src/consumers/matcher/dailyCatchUp.js';
import type { MatcherSettings } from '../../../src/consumers/matcher/matcherDeps.js';
import { Interrupted, type ConsumedEvent } from '../../../src/consumers/pipeline/consumedEvent.js';
import { WriteConflict } from '../../../src/consumers/pipeline/failures.js';
import type { ConsumerSpec, RunningConsumer, StartConsumer } from '../../../src/consumers/pipeline/pipeline.js';
import { newEventId } from '../../../src/events/envelope.js';
import { systemClock } from '../../../src/platform/clock.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { ensureAccount } from '../../../src/sql/accounts/ensureAccount.js';
import { insertHunt } from '../../../src/sql/hunts/insertHunt.js';
import { selectHuntsDoneForTick } from '../../../src/sql/ticks/selectHuntsDoneForTick.js';
import { HARNESS_OUTREACH } from '../../../testkit/serviceEnv.js';
import { hunt } from '../../../testkit/domainFixtures.js';
import { captureLogs } from '../../../testkit/logCapture.js';
import { handlerContext } from '../../../testkit/pipelineFixtures.js';
import { adInput, ingestSilently, newBrand } from '../../../testkit/fixtures.js';
import { useTestEnv } from '../../../testkit/testEnv.js';

const t = useTestEnv();
const settings: MatcherSettings = {
  backfillDays: 30,
  contactMaxAgeDays: 7,
  contactCooldownDays: 90,
  batchSize: 200,
  timeZone: 'Europe/Paris',
  tickConcurrency: 1,
  outreach: HARNESS_OUTREACH,
};

const tickEvent = (day: string): ConsumedEvent<'DailyTick'> => {
  const eventId = newEventId();
  return {
    eventType: 'DailyTick',
    value: { tickId: `daily:${day}`, day, timeZone: 'Europe/Paris', requestedBy: 'api', requestedAt: Date.now() },
    eventId,
    correlationId: eventId,
    causationId: eventId,
    occurredAt: new Date().toISOString(),
    topic: 'hunts.ticks',
    partition: 0,
    offset: '0',
    key: `daily:${day}`,
    raw: { key: null, value: null, timestamp: '0', attributes: 0, offset: '0', headers: {} },
    receivedAt: Date.now(),
  };
};

type Stage = {
  run: (events: Array<ConsumedEvent<'DailyTick'>>, ctx: ReturnType<typeof handlerContext>) => Promise<unknown>;
};

/** The catch-up's stage, as the pipeline would run it, with groups of one hunt. */
async function catchUpStage(outbox: { enqueue: (...args: never[]) => Promise<unknown[]> }): Promise<Stage> {
  let spec: ConsumerSpec<'DailyTick'> | undefined;
  const consume = (async (s: ConsumerSpec<'DailyTick'>) => {
    spec = s;
    return { stop: async () => {} } as RunningConsumer;
  }) as StartConsumer;
  await startDailyCatchUp(
    { db: t.db, consume, outbox: outbox as never, clock: systemClock, metrics: createMetrics(), settings },
    { groupSize: 1 },
  );
  return (spec as unknown as { stage: Stage }).stage;
}

describe('the daily catch-up, stopped, resumed or in conflict', () => {
  it('says Interrupted after the group under way, and leaves the tick to its redelivery', async () => {
    // Two accounts, so two groups of one hunt each; the process stops during the first.
    await t.db.transaction(async (trx) => {
      for (const accountId of [randomUUID(), randomUUID()]) {
        await ensureAccount(trx, accountId);
        await insertHunt(trx, {
          id: randomUUID(),
          accountId,
          settings: { ...hunt(), brands: ['Stoppée'] },
          now: new Date(),
        });
      }
    });
    const logs = captureLogs();
    const stage = await catchUpStage({ enqueue: async () => [] });
    // The catch-up asks whether it may go on before each group (one at a time here): yes for the
    // first, then the process is stopping.
    let asked = 0;
    const ctx = handlerContext({ log: logs.log, isRunning: () => ++asked <= 1 });
    await expect(stage.run([tickEvent('2031-04-04')], ctx)).rejects.toBeInstanceOf(Interrupted);

    const tick = await t
      .db('ticks')
      .where({ tick_id: 'daily:2031-04-04' })
      .first<{ completed_at: Date | null; hunts_total: number; hunts_done: number }>();
    expect(tick).toMatchObject({ completed_at: null, hunts_done: 1 });
    expect(tick!.hunts_total).toBeGreaterThanOrEqual(2);
    expect(logs.lines.map((l) => l.msg)).toContain(
      'daily catch-up stopped before the end; it resumes with the unfinished groups',
    );
  });

  it('finds which hunts a tick finished among more than a statement has parameters for (65,535)', async () => {
    const accountId = randomUUID();
    const [done, other] = [randomUUID(), randomUUID()];
    await t.db.transaction(async (trx) => {
      await ensureAccount(trx, accountId);
      for (const id of [done, other])
        await insertHunt(trx, { id, accountId, settings: { ...hunt(), brands: ['Reprise'] }, now: new Date() });
    });
    await t.db('hunts').where({ id: done }).update({ last_tick_id: 'daily:2031-04-05' });
    const ids = [done, other, ...Array.from({ length: 70_000 }, () => randomUUID())];
    expect(await selectHuntsDoneForTick(t.db, ids, 'daily:2031-04-05')).toEqual(new Set([done]));
  });

  it('applies a page again when a concurrent writer got there first, and finishes the tick', async () => {
    const accountId = randomUUID();
    const brand = newBrand('Reprise');
    await t.db.transaction(async (trx) => {
      await ensureAccount(trx, accountId);
      await insertHunt(trx, { id: randomUUID(), accountId, settings: { ...hunt(), brands: [brand] }, now: new Date() });
    });
    await ingestSilently(t.db, [adInput({ brand })]);
    // The first page's transaction meets a concurrent writer (as when the continuous matcher makes a lead of
    // the same live ad); the catch-up applies that page again rather than failing the whole tick.
    let calls = 0;
    const stage = await catchUpStage({
      enqueue: async () => {
        if (++calls === 1) throw new WriteConflict('a lead was created concurrently');
        return [];
      },
    });
    await stage.run([tickEvent('2031-04-06')], handlerContext({ log: captureLogs().log }));
    expect(calls).toBe(2);
    expect(await t.db('leads').where({ account_id: accountId }).pluck('ad_id')).toHaveLength(1);
    const tick = await t
      .db('ticks')
      .where({ tick_id: 'daily:2031-04-06' })
      .first<{ hunts_total: number; hunts_done: number }>();
    expect(tick!.hunts_done).toBe(tick!.hunts_total);
  });
});
