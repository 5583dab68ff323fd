// Bounded storage: old ads nothing refers to are deleted, a batch at a time, never one a lead, a contacted
// ad, a message or a backfill still reading its window needs; the inbox and pacing counters stay bounded.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adsCutoff, startRetention, type RetainedTable, type RetentionOptions } from '../../src/db/retention.js';
import { deleteUnreferencedAds } from '../../src/sql/retention/deleteUnreferencedAds.js';
import { streamAds } from '../../src/sql/ads/streamAds.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import pg from 'pg';

const t = useTestEnv();
const DAY = 86_400_000;
const windows = { backfillDays: 30, contactMaxAgeDays: 7 };

/** Ads of an ad type of their own (so that each test reads only its own), last scraped `daysAgo` before `now`. */
async function insertAds(adType: string, now: Date, daysAgo: number[]): Promise<string[]> {
  const rows = daysAgo.map((d) => ({
    id: randomUUID(),
    source: 'leboncoin',
    external_id: randomUUID(),
    ad_type: adType,
    scraped_at: new Date(now.getTime() - d * DAY),
    match_hash: 'h',
  }));
  await t.db('ads').insert(rows);
  return rows.map((r) => r.id);
}

async function remaining(ids: string[]): Promise<Set<string>> {
  return new Set((await t.db('ads').whereIn('id', ids).select('id')).map((r: { id: string }) => r.id));
}

/** One pass of a retention job of its own, with the rows each call reported deleted. */
async function pass(options: Partial<RetentionOptions> & { now: () => Date }) {
  const reported: Array<[RetainedTable, number]> = [];
  const logs = captureLogs('info');
  const retention = startRetention({
    databaseUrl: t.databaseUrl,
    log: logs.log,
    everyMs: 3_600_000,
    batchSize: 1000,
    adsRetentionDays: 90,
    windows,
    inboxRetentionDays: 14,
    onDeleted: (table, rows) => reported.push([table, rows]),
    ...options,
  });
  try {
    // The job's own first pass runs at start; this one runs after it, with the same options.
    const deleted = await retention.runOnce();
    return { deleted, reported, logs };
  } finally {
    await retention.stop();
  }
}

describe('the retention job', () => {
  it('deletes the old ads nothing refers to, and keeps those a lead, a contacted ad or a message refers to', async () => {
    const now = new Date();
    const type = `retention-${randomUUID()}`;
    const [old1, old2, old3, withLead, withContact, withMessage] = await insertAds(
      type,
      now,
      [200, 150, 92, 200, 200, 200],
    );
    const [inWindow, inGrace] = await insertAds(type, now, [60, 90.5]);
    const account = randomUUID();
    const hunt = randomUUID();
    // Each reference on its own, as another writer could leave it: the job checks all three tables.
    await t.db('leads').insert({ id: randomUUID(), account_id: account, ad_id: withLead, hunt_id: hunt });
    await t.db('contacted_ads').insert({
      id: randomUUID(),
      account_id: account,
      ad_id: withContact,
      hunt_id: hunt,
      lead_id: randomUUID(),
      message_id: randomUUID(),
      channel: 'sms',
    });
    await t.db('messages').insert({
      id: randomUUID(),
      account_id: account,
      lead_id: randomUUID(),
      hunt_id: hunt,
      ad_id: withMessage,
      channel: 'sms',
      recipient: '+33612345678',
      content: 'Bonjour',
    });
    const all = [old1!, old2!, old3!, withLead!, withContact!, withMessage!, inWindow!, inGrace!];

    const { deleted, reported, logs } = await pass({ now: () => now });

    expect(await remaining(all)).toEqual(new Set([withLead, withContact, withMessage, inWindow, inGrace]));
    // The job's first pass (at start) or this one deleted them: three in all, reported to the metrics.
    expect(deleted).toMatchObject({ ads: 0 });
    expect(reported.filter(([table]) => table === 'ads').reduce((n, [, rows]) => n + rows, 0)).toBe(3);
    expect(logs.withMsg('retention pass').length).toBe(2);
  });

  it('never reaches inside a window that reads ads, whatever ADS_RETENTION_DAYS says', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    // The longest window (the preview's 90 days) and a day for reads that began before the pass.
    expect(adsCutoff(now, 10, windows)).toEqual(new Date(now.getTime() - 91 * DAY));
    expect(adsCutoff(now, 10, { backfillDays: 120, contactMaxAgeDays: 7 })).toEqual(
      new Date(now.getTime() - 121 * DAY),
    );
    expect(adsCutoff(now, 365, windows)).toEqual(new Date(now.getTime() - 366 * DAY));
  });

  it('deletes a bounded batch per statement, stepping over the ads still referred to', async () => {
    const now = new Date();
    const type = `retention-${randomUUID()}`;
    const ids = await insertAds(
      type,
      now,
      Array.from({ length: 30 }, (_, i) => 400 + i),
    );
    // Every third ad has a lead: batches of 5 hold referenced and unreferenced ads alike.
    const kept = ids.filter((_, i) => i % 3 === 0);
    await t
      .db('leads')
      .insert(kept.map((ad) => ({ id: randomUUID(), account_id: randomUUID(), ad_id: ad, hunt_id: randomUUID() })));
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      // Only this test's ads are that old: the first batch is five of them, oldest first.
      const before = new Date(now.getTime() - 300 * DAY);
      const first = await deleteUnreferencedAds(client, before, undefined, 5);
      expect(first).toMatchObject({ examined: 5, deleted: 4 });
      expect(first.next!.id).toBe(ids[29 - 4]);
    } finally {
      await client.end();
    }
    const { reported } = await pass({ now: () => now, batchSize: 5 });
    const adBatches = reported.filter(([table]) => table === 'ads').map(([, rows]) => rows);
    expect(Math.max(...adBatches)).toBeLessThanOrEqual(5);
    expect(adBatches.reduce((a, b) => a + b, 0)).toBe(20 - 4);
    expect(await remaining(ids)).toEqual(new Set(kept));
  });

  it('never deletes an ad a backfill paging through its window has not read yet', async () => {
    // The shortest retention allowed: the backfill's window itself, which the clock moves past as it reads.
    const backfill = { backfillDays: 90, contactMaxAgeDays: 7 };
    const started = new Date();
    const type = `retention-${randomUUID()}`;
    const ids = await insertAds(
      type,
      started,
      Array.from({ length: 40 }, (_, i) => 90 - 0.01 - i * 0.02),
    );
    const pages = streamAds(t.db, { scrapedSince: new Date(started.getTime() - 90 * DAY) }, 5);
    const read: string[] = [];
    const first = await pages.next();
    if (first.done) throw new Error('the backfill read nothing');
    read.push(...first.value.map((a) => a.adId));
    // Twelve hours into the backfill, a pass: the ads at the start of its window are now older than 90 days.
    await pass({ now: () => new Date(started.getTime() + DAY / 2), adsRetentionDays: 90, windows: backfill });
    for await (const page of pages) read.push(...page.map((a) => a.adId));
    expect(read.filter((id) => ids.includes(id))).toEqual(ids);
    // Once no read can be running any more (two days on), they go.
    await pass({ now: () => new Date(started.getTime() + 2 * DAY), adsRetentionDays: 90, windows: backfill });
    expect((await remaining(ids)).size).toBeLessThan(ids.length);
  });

  it('deletes on a later pass the ads that aged past the cutoff since, behind the ads a lead keeps', async () => {
    let now = new Date(Date.now() + 1000 * DAY);
    const type = `retention-${randomUUID()}`;
    const [kept, aging] = await insertAds(type, now, [500, 80]);
    await t.db('leads').insert({ id: randomUUID(), account_id: randomUUID(), ad_id: kept, hunt_id: randomUUID() });
    const retention = startRetention({
      databaseUrl: t.databaseUrl,
      log: captureLogs('info').log,
      now: () => now,
      everyMs: 3_600_000,
      batchSize: 1000,
      adsRetentionDays: 90,
      windows,
      inboxRetentionDays: 14,
    });
    try {
      await retention.runOnce();
      expect(await remaining([kept!, aging!])).toEqual(new Set([kept, aging]));
      now = new Date(now.getTime() + 20 * DAY);
      await retention.runOnce();
      expect(await remaining([kept!, aging!])).toEqual(new Set([kept]));
    } finally {
      await retention.stop();
    }
  });

  it('keeps the inbox and the pacing counters bounded, oldest first', async () => {
    const now = new Date();
    const consumer = `retention-${randomUUID()}`;
    const inbox = (daysAgo: number) => ({
      consumer,
      event_id: randomUUID(),
      processed_at: new Date(now.getTime() - daysAgo * DAY),
    });
    await t.db('inbox').insert([inbox(30), inbox(15), inbox(13), inbox(0)]);
    const hunt = randomUUID();
    const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10);
    await t.db('hunt_daily_contacts').insert([
      { hunt_id: hunt, day: day(10), contacts: 3 },
      { hunt_id: hunt, day: day(5), contacts: 2 },
      { hunt_id: hunt, day: day(0), contacts: 1 },
    ]);
    await pass({ now: () => now, inboxRetentionDays: 14 });
    const kept = await t.db('inbox').where({ consumer }).orderBy('processed_at').select('processed_at');
    expect(
      kept.map((r: { processed_at: Date }) => Math.round((now.getTime() - r.processed_at.getTime()) / DAY)),
    ).toEqual([13, 0]);
    expect((await t.db('hunt_daily_contacts').where({ hunt_id: hunt }).select('day')).length).toBe(1);
  });
});
