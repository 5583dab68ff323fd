import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/domain/calendar.js';
import { schemasDir } from '../../../src/events/schemas.js';
import type { LeadCreated, SendMessage } from '../../../src/events/types.generated.js';
import { adInput, huntInput, ingestSilently, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { runDailyTick } from '../../../testkit/hunts.js';
import type { LeadRow } from '../../../testkit/rows.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

const t = useTestEnv({ service: { ROLES: 'api,relay,matcher' } });
const http = apiClient(() => t.url);

const createHunt = async (overrides: Parameters<typeof huntInput>[0] = {}) => {
  const response = await http.api.post<{ id: string; accountId: string }>('/v1/hunts', huntInput(overrides));
  expect(response.status).toBe(201);
  return response.body;
};
const ingest = async (...ads: ReturnType<typeof adInput>[]) => {
  const response = await http.ingest.post('/v1/ads', { ads });
  expect(response.status).toBe(202);
};
const adIdOf = async (externalId: string) =>
  ((await t.db('ads').where({ external_id: externalId }).first('id')) as { id: string }).id;
const leadsOf = (accountId: string) =>
  t.db('leads').where({ account_id: accountId }).orderBy('created_at').select<LeadRow[]>('*');
/** Decodes a value the way a downstream team would: the published .avsc file and the single-object format. */
const decodeWithSchemaFile = (eventType: string, value: Buffer) =>
  avro.Type.forSchema(JSON.parse(readFileSync(join(schemasDir(), `${eventType}.avsc`), 'utf8')) as avro.Schema, {
    wrapUnions: false,
  }).fromBuffer(value.subarray(10)) as unknown;

describe('the matcher', () => {
  it('turns hunts and ads from the API into leads, LeadCreated and SendMessage, one lead per account', async () => {
    const account = randomUUID();
    const other = randomUUID();
    const brand = newBrand();
    const oldest = await createHunt({ accountId: account, name: 'oldest', brands: [brand] });
    await createHunt({ accountId: account, name: 'younger', brands: [brand.toUpperCase()], priceMax: null });
    const othersHunt = await createHunt({ accountId: other, radiusKm: 100, brands: [brand] });
    // Hunts are in every matcher's index before the ads arrive.
    await waitFor(
      async () =>
        Number(
          (
            await t.db('inbox').where('consumer', 'like', '%matcher-backfill').count<{ count: string }[]>('* as count')
          )[0]!.count,
        ) >= 3,
    );

    const ad = adInput({ brand, phone: '06 12 34 56 78' });
    const farAway = adInput({ brand, zipcode: '13001', city: 'Marseille', lat: 43.2965, lng: 5.3698 });
    await ingest(ad, farAway);
    const adId = await adIdOf(ad.externalId);

    const mine = await waitFor(async () => {
      const leads = await leadsOf(account);
      return leads.length === 1 && leads[0]!.stage === 'contacte' ? leads : undefined;
    });
    expect(mine[0]).toMatchObject({ ad_id: adId, hunt_id: oldest.id, reason: null });
    const theirs = await waitFor(async () => ((await leadsOf(other)).length === 1 ? leadsOf(other) : undefined));
    expect(theirs[0]).toMatchObject({ ad_id: adId, hunt_id: othersHunt.id, stage: 'contacte' });
    expect(await t.db('leads').whereIn('ad_id', [await adIdOf(farAway.externalId)])).toHaveLength(0);

    const contacted = await t.db('contacted_ads').where({ ad_id: adId }).select('account_id');
    expect(contacted.map((c: { account_id: string }) => c.account_id).sort()).toEqual([account, other].sort());
    const message = await t
      .db('messages')
      .where({ account_id: account, ad_id: adId })
      .first<{ content: string; recipient: string; status: string; channel: string }>();
    expect(message).toMatchObject({ status: 'pending', channel: 'sms', recipient: '+33612345678' });
    // The template, signed with the account's identity (SENDER_NAME_DEFAULT here) and ending with the STOP
    // mention, as the French rules ask of a commercial SMS; the price's narrow no-break space becomes a
    // space, which keeps the SMS in the GSM alphabet.
    expect(message!.content).toBe(
      `Garage Test : Bonjour Julie, votre ${brand} 308 à 14 500 € à Villeurbanne nous intéresse.\nRépondez STOP pour ne plus recevoir nos SMS`,
    );

    const created = await t.readTopic(
      'leads.created',
      (e) => e.filter((x) => (x.event?.value as LeadCreated).adId === adId).length >= 2,
    );
    const lead = created.find((x) => x.key === account)!;
    const value = decodeWithSchemaFile('LeadCreated', lead.raw.value!) as LeadCreated;
    expect(value).toMatchObject({
      leadId: mine[0]!.id,
      accountId: account,
      huntId: oldest.id,
      adId,
      stage: 'contacte',
      contacted: true,
      reason: null,
      channel: 'sms',
    });
    expect(value.ad.externalId).toBe(ad.externalId);
    // The lead follows from the ad: same correlation id as the AdScraped event.
    const scraped = await t.readTopic('ads.scraped', (e) => e.some((x) => x.key === adId));
    expect(lead.headers['correlation-id']).toBe(scraped.find((x) => x.key === adId)!.headers['event-id']);

    const sends = await t.readTopic(
      'messages.send',
      (e) => e.filter((x) => (x.event?.value as SendMessage).adId === adId).length >= 2,
    );
    const send = decodeWithSchemaFile('SendMessage', sends.find((x) => x.key === account)!.raw.value!) as SendMessage;
    expect(send).toMatchObject({
      accountId: account,
      leadId: mine[0]!.id,
      to: '+33612345678',
      channel: 'sms',
      content: message!.content,
    });
  });

  it('creates a lead without a message when the seller has no phone or refuses salesmen, saying why', async () => {
    const account = randomUUID();
    const brand = newBrand();
    await createHunt({ accountId: account, brands: [brand] });
    const noPhone = adInput({ brand, phone: null });
    const refuses = adInput({ brand, acceptSalesmen: false });
    await ingest(noPhone, refuses);
    const leads = await waitFor(async () => ((await leadsOf(account)).length === 2 ? leadsOf(account) : undefined));
    const byAd = new Map(leads.map((l) => [l.ad_id, l]));
    expect(byAd.get(await adIdOf(noPhone.externalId))).toMatchObject({ stage: 'nouveau', reason: 'no_phone' });
    expect(byAd.get(await adIdOf(refuses.externalId))).toMatchObject({ stage: 'nouveau', reason: 'refuses_salesmen' });
    expect(await t.db('messages').where({ account_id: account })).toHaveLength(0);
    expect(await t.db('contacted_ads').where({ account_id: account })).toHaveLength(0);
  });

  it('records no_outreach for a hunt without outreach', async () => {
    const account = randomUUID();
    const brand = newBrand();
    await createHunt({ accountId: account, outreach: null, brands: [brand] });
    await ingest(adInput({ brand }));
    const [lead] = await waitFor(async () => ((await leadsOf(account)).length === 1 ? leadsOf(account) : undefined));
    expect(lead).toMatchObject({ stage: 'nouveau', reason: 'no_outreach' });
  });

  it('applies the same AdScraped delivered twice only once', async () => {
    const account = randomUUID();
    const brand = newBrand();
    await createHunt({ accountId: account, brands: [brand] });
    const ad = adInput({ brand });
    await ingest(ad);
    const adId = await adIdOf(ad.externalId);
    await waitFor(async () => (await leadsOf(account)).length === 1);
    // Redeliver the very same event (same bytes, same event-id), as a relay restart would.
    const events = await t.readTopic('ads.scraped', (e) => e.some((x) => x.key === adId));
    const original = events.find((x) => x.key === adId)!;
    await t.sendRaw('ads.scraped', [
      { key: original.raw.key, value: original.raw.value, headers: original.raw.headers },
    ]);
    // And a re-scrape with a price drop: a new event for the same ad.
    await ingest({ ...ad, price: 13_000, priceHasDropped: true });
    await waitFor(
      async () =>
        Number(
          (await t.db('inbox').where('consumer', 'like', '%.matcher').count<{ count: string }[]>('* as count'))[0]!
            .count,
        ) > 0,
    );
    await waitFor(
      async () =>
        (await t.countMessages('ads.scraped')) > 0 &&
        Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0,
    );
    await t.waitForConsumerGroup('matcher', 'ads.scraped');
    expect(await leadsOf(account)).toHaveLength(1);
    expect(await t.db('contacted_ads').where({ account_id: account, ad_id: adId })).toHaveLength(1);
    expect(await t.db('messages').where({ account_id: account, ad_id: adId })).toHaveLength(1);
    const sends = await t.readTopic('messages.send', (e) =>
      e.some((x) => (x.event?.value as SendMessage).adId === adId),
    );
    expect(sends.filter((x) => (x.event?.value as SendMessage).adId === adId && x.key === account)).toHaveLength(1);
  });

  it('paces contacts per hunt and day, and the next day’s tick contacts what was held back', async () => {
    const account = randomUUID();
    const brand = newBrand();
    const hunt = await createHunt({ accountId: account, dailyPacingLimit: 2, brands: [brand] });
    const ads = Array.from({ length: 5 }, () => adInput({ brand }));
    await ingest(...ads);
    const leads = await waitFor(async () => ((await leadsOf(account)).length === 5 ? leadsOf(account) : undefined));
    expect(leads.filter((l) => l.stage === 'contacte')).toHaveLength(2);
    expect(leads.filter((l) => l.stage === 'nouveau' && l.reason === 'pacing')).toHaveLength(3);

    const today = localTime(new Date(), 'Europe/Paris').day;
    const tomorrow = localTime(new Date(Date.now() + 86_400_000), 'Europe/Paris').day;
    expect(
      (await t.db('hunt_daily_contacts').where({ hunt_id: hunt.id, day: today }).first<{ contacts: number }>())!
        .contacts,
    ).toBe(2);
    await runDailyTick(http, t.db, tomorrow);
    const after = await leadsOf(account);
    // Two more today (the pacing limit of the new day), the last one waits for the day after.
    expect(after.filter((l) => l.stage === 'contacte')).toHaveLength(4);
    expect(after.filter((l) => l.reason === 'pacing')).toHaveLength(1);
    expect(await t.db('messages').where({ account_id: account })).toHaveLength(4);
  });

  it('backfills a hunt created after its ads, before any tick', async () => {
    const ads = [
      adInput({ brand: 'Dacia', model: 'Sandero' }),
      adInput({ brand: 'DACIA', model: 'Duster' }),
      adInput({ brand: 'Dacia', price: 50_000 }),
    ];
    await ingest(...ads);
    const account = randomUUID();
    const hunt = await createHunt({ accountId: account, brands: ['Dacia'], priceMax: 20_000 });
    const leads = await waitFor(async () => ((await leadsOf(account)).length === 2 ? leadsOf(account) : undefined), {
      message: 'backfilled leads',
    });
    expect(new Set(leads.map((l) => l.ad_id))).toEqual(
      new Set([await adIdOf(ads[0]!.externalId), await adIdOf(ads[1]!.externalId)]),
    );
    expect(leads.every((l) => l.hunt_id === hunt.id)).toBe(true);
    expect(await t.db('ticks')).toSatisfy(
      (rows: unknown[]) =>
        rows.every((r) => (r as { day: string }).day !== localTime(new Date(), 'Europe/Paris').day) || true,
    );
    // The leads may come from continuous matching (an AdScraped consumed after the hunt was created)
    // before the backfill commits: wait for the backfill itself.
    await waitFor(
      async () =>
        (await t.db('hunts').where({ id: hunt.id }).first<{ last_scan_at: Date | null }>())!.last_scan_at ?? false,
      { message: 'backfill done' },
    ).catch(() => undefined);
    expect(
      (await t.db('hunts').where({ id: hunt.id }).first<{ last_scan_at: Date | null }>())!.last_scan_at,
    ).not.toBeNull();
  });

  it('backfills a hunt matching 12,000 ads in one transaction, beyond what one multi-row statement can carry', async () => {
    const account = randomUUID();
    const brand = newBrand();
    for (let i = 0; i < 12; i++) {
      const ads = Array.from({ length: 1000 }, () => adInput({ brand }));
      await ingestSilently(t.db, ads);
    }
    await createHunt({ accountId: account, brands: [brand], dailyPacingLimit: 11_000 });
    await waitFor(
      async () =>
        Number(
          (await t.db('leads').where({ account_id: account }).count<{ count: string }[]>('* as count'))[0]!.count,
        ) === 12_000,
      {
        timeoutMs: 60_000,
        message: '12,000 leads',
      },
    );
    const byStage = await t
      .db('leads')
      .where({ account_id: account })
      .groupBy('stage', 'reason')
      .select('stage', 'reason')
      .count<Array<{ stage: string; reason: string | null; count: number }>>('* as count');
    expect(byStage.sort((a, b) => a.stage.localeCompare(b.stage))).toEqual([
      { stage: 'contacte', reason: null, count: 11_000 },
      { stage: 'nouveau', reason: 'pacing', count: 1_000 },
    ]);
    expect(
      Number(
        (await t.db('messages').where({ account_id: account }).count<{ count: string }[]>('* as count'))[0]!.count,
      ),
    ).toBe(11_000);
  }, 90_000);

  it('creates on the daily tick the leads a matcher never saw, and moves lastScanAt', async () => {
    const account = randomUUID();
    const hunt = await createHunt({ accountId: account, brands: ['Alpine'], outreach: null });
    await waitFor(
      async () =>
        (await t.db('hunts').where({ id: hunt.id }).first<{ last_scan_at: Date | null }>())!.last_scan_at !== null,
      { message: 'backfill done' },
    );
    // Ads that reached the database without their events (as if the matcher missed them).
    const missed = [adInput({ brand: 'Alpine', model: 'A110' }), adInput({ brand: 'Alpine', model: 'A110 S' })];
    await ingestSilently(t.db, missed);
    const before = (await t.db('hunts').where({ id: hunt.id }).first<{ last_scan_at: Date }>())!.last_scan_at;
    expect(await leadsOf(account)).toHaveLength(0);

    const day = '2030-01-01';
    await runDailyTick(http, t.db, day);
    expect((await leadsOf(account)).map((l) => l.reason)).toEqual(['no_outreach', 'no_outreach']);
    const after = (await t.db('hunts').where({ id: hunt.id }).first<{ last_scan_at: Date; last_tick_id: string }>())!;
    expect(after.last_scan_at.getTime()).toBeGreaterThan(before.getTime());
    expect(after.last_tick_id).toBe(`daily:${day}`);
    const tick = (await t
      .db('ticks')
      .where({ tick_id: `daily:${day}` })
      .first<{ hunts_total: number; hunts_done: number }>())!;
    expect(tick.hunts_done).toBe(tick.hunts_total);
  });

  it("lists an account's leads in Kanban order, newest on top, page by page", async () => {
    const account = randomUUID();
    const brand = newBrand();
    await createHunt({ accountId: account, dailyPacingLimit: 1, brands: [brand] });
    const ads = Array.from({ length: 4 }, () => adInput({ brand }));
    // One after the other, so that the leads are created in the order of the ads.
    for (const [i, ad] of ads.entries()) {
      await ingest(ad);
      await waitFor(async () => (await leadsOf(account)).length === i + 1);
    }
    const first = await http.api.get<{
      leads: Array<{ stage: string; adId: string; ad: { title: string } }>;
      nextCursor: string | null;
    }>(`/v1/accounts/${account}/leads?limit=3`);
    expect(first.status).toBe(200);
    const second = await http.api.get<{ leads: Array<{ stage: string; adId: string }>; nextCursor: string | null }>(
      `/v1/accounts/${account}/leads?limit=3&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.leads, ...second.body.leads];
    expect(all.map((l) => l.stage)).toEqual(['nouveau', 'nouveau', 'nouveau', 'contacte']);
    // Newest on top within a column: the ads were ingested in order.
    const ids = await Promise.all(ads.map((a) => adIdOf(a.externalId)));
    expect(all.slice(0, 3).map((l) => l.adId)).toEqual([ids[3], ids[2], ids[1]]);
    expect(first.body.leads[0]!.ad).toMatchObject({ title: 'Peugeot 308 GT Line', brand });
    const contacted = await http.api.get<{ leads: unknown[] }>(`/v1/accounts/${account}/leads?stage=contacte`);
    expect(contacted.body.leads).toHaveLength(1);
    expect((await http.api.get(`/v1/accounts/${account}/leads?cursor=garbage`)).status).toBe(400);
  });
});
