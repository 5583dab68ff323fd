// One seller, one message per account: a seller is a phone, whatever the ad;
// phones are E.164 (libphonenumber-js), landlines are never messaged, and the rule holds when two
// batches with ads of one seller run at once.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordDepsOf, recordMatches } from '../../../src/consumers/matcher/recordMatches.js';
import { WriteConflict } from '../../../src/consumers/pipeline/failures.js';
import { loadHunt } from '../../../src/sql/hunts/loadHunt.js';
import { adColumns, adFromRow, type AdRow } from '../../../src/sql/ads/adRow.js';
import { adInput, ingestSilently, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { useTestEnv } from '../../../testkit/testEnv.js';
import { HARNESS_OUTREACH } from '../../../testkit/serviceEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { huntForBrand } from '../../../testkit/hunts.js';
import type { LeadRow as Lead } from '../../../testkit/rows.js';

const t = useTestEnv({ service: { ROLES: 'api,relay,matcher' } });
const http = apiClient(() => t.url);

type LeadRow = Pick<Lead, 'id' | 'ad_id' | 'stage' | 'reason'>;

/** An account with one hunt for `brand`, backfilled (in every matcher's index). */
const huntFor = (brand: string, accountId?: string) => huntForBrand(http, t.db, brand, {}, accountId);

const ingest = async (...ads: ReturnType<typeof adInput>[]) =>
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
const leadsOf = (accountId: string) =>
  t
    .db('leads')
    .where({ account_id: accountId })
    .orderBy('created_at')
    .select<LeadRow[]>('id', 'ad_id', 'stage', 'reason');
const messagesOf = (accountId: string) =>
  t
    .db('messages')
    .where({ account_id: accountId })
    .select<Array<{ id: string; ad_id: string; recipient: string }>>('id', 'ad_id', 'recipient');
const leadsCount = (accountId: string, n: number) =>
  waitFor(async () => ((await leadsOf(accountId)).length === n ? leadsOf(accountId) : undefined), {
    message: `${n} leads`,
  });

describe('one seller, one message per account', () => {
  it('messages a seller who reposts (a new listing id, the same phone) once within the cooldown', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    const first = adInput({ brand, phone: '+33611000001' });
    await ingest(first);
    await leadsCount(accountId, 1);
    const repost = adInput({ brand, phone: '+33611000001', hasBeenReposted: true });
    await ingest(repost);
    const leads = await leadsCount(accountId, 2);
    expect(leads.map((l) => [l.stage, l.reason])).toEqual([
      ['contacte', null],
      ['nouveau', 'already_contacted'],
    ]);
    expect(await messagesOf(accountId)).toHaveLength(1);
    // Another account is another dealer: it may message the same seller, once (its backfill finds both ads).
    const other = await huntFor(brand);
    const theirs = await leadsCount(other.accountId, 2);
    expect(theirs.map((l) => l.reason).sort()).toEqual(['already_contacted', null].sort());
    expect(await messagesOf(other.accountId)).toHaveLength(1);
  });

  it('takes "06 12 34 56 78" and "+33612345678" for one seller, stored in E.164', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    await ingest(adInput({ brand, phone: '06 12 34 56 78' }));
    await leadsCount(accountId, 1);
    await ingest(adInput({ brand, phone: '+33612345678' }));
    const leads = await leadsCount(accountId, 2);
    expect(leads.map((l) => l.reason)).toEqual([null, 'already_contacted']);
    const messages = await messagesOf(accountId);
    expect(messages.map((m) => m.recipient)).toEqual(['+33612345678']);
    const phones = await t
      .db('ads')
      .whereIn(
        'id',
        leads.map((l) => l.ad_id),
      )
      .pluck('phone');
    expect(phones).toEqual(['+33612345678', '+33612345678']);
  });

  it('gives an overseas number its own country code and refuses a phone it cannot read, naming the field', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    const reunion = adInput({ brand, phone: '0692 12 34 56' });
    await ingest(reunion);
    await leadsCount(accountId, 1);
    expect((await t.db('ads').where({ external_id: reunion.externalId }).first<{ phone: string }>())!.phone).toBe(
      '+262692123456',
    );
    expect((await messagesOf(accountId)).map((m) => m.recipient)).toEqual(['+262692123456']);

    const unreadable = adInput({ brand, phone: '06 12' });
    const response = await http.ingest.post<{ field: string }>('/v1/ads', { ads: [adInput({ brand }), unreadable] });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('body/ads/1/phone');
    expect(await t.db('ads').where({ external_id: unreadable.externalId }).first()).toBeUndefined();
  });

  it('does not message a landline: not_mobile, no contact', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    const landline = adInput({ brand, phone: '01 42 68 53 00' });
    await ingest(landline);
    const [lead] = await leadsCount(accountId, 1);
    expect(lead).toMatchObject({ stage: 'nouveau', reason: 'not_mobile' });
    expect(await messagesOf(accountId)).toHaveLength(0);
    expect(await t.db('contacted_ads').where({ account_id: accountId })).toHaveLength(0);
    const created = await t.readTopic('leads.created', (e) =>
      e.some((x) => (x.event?.value as { leadId: string }).leadId === lead!.id),
    );
    expect(created.find((x) => (x.event?.value as { leadId: string }).leadId === lead!.id)!.event!.value).toMatchObject(
      { contacted: false, reason: 'not_mobile' },
    );
  });

  it('messages two ads of one seller in one request once', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    await ingest(adInput({ brand, phone: '+33611000002' }), adInput({ brand, phone: '+33611000002', model: '3008' }));
    const leads = await leadsCount(accountId, 2);
    expect(leads.map((l) => l.reason).sort()).toEqual(['already_contacted', null].sort());
    expect(await messagesOf(accountId)).toHaveLength(1);
  });

  it('messages two ads of one seller arriving at once, in concurrent batches, once', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    // Ten requests at once: each ad is its own AdScraped, keyed by its id, spread over the partitions
    // that the matcher consumes concurrently.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => ingest(adInput({ brand, phone: '+33611000003', model: `modèle ${i}` }))),
    );
    const leads = await leadsCount(accountId, 10);
    expect(leads.filter((l) => l.stage === 'contacte')).toHaveLength(1);
    expect(leads.filter((l) => l.reason === 'already_contacted')).toHaveLength(9);
    expect(await messagesOf(accountId)).toHaveLength(1);
  });

  it('serialises two transactions on the (account, phone) row: the second waits, then finds the seller taken', async () => {
    const brand = newBrand('Vendeur');
    const { accountId, huntId } = await huntFor(brand);
    // Ads the matcher never hears of (no events): this test drives recordMatches itself.
    const [a, b] = [adInput({ brand, phone: '+33611000004' }), adInput({ brand, phone: '+33611000004' })];
    await ingestSilently(t.db, [a, b]);
    const hunt = (await loadHunt(t.db, huntId))!;
    const adOf = async (externalId: string) =>
      adFromRow((await t.db('ads').where({ external_id: externalId }).first<AdRow>(t.db.raw(adColumns())))!);
    const [adA, adB] = [await adOf(a.externalId), await adOf(b.externalId)];
    const deps = recordDepsOf(
      {
        outbox: { enqueue: async () => [] },
        settings: { timeZone: 'Europe/Paris', contactCooldownDays: 90, outreach: HARNESS_OUTREACH },
      },
      new Date(),
      { pacingDay: '2026-12-01' },
    );
    const cause = { eventId: randomUUID(), correlationId: randomUUID() };

    const first = await t.db.transaction();
    expect((await recordMatches(first, deps, [{ hunt, ad: adA, cause }])).contacted).toBe(1);
    // The second transaction's outcome is taken at once: it settles as soon as the first commits,
    // which may be before `first.commit()` returns here, and an outcome nobody holds yet is an
    // unhandled rejection (what made this test fail CI runs).
    const second = t.db
      .transaction((trx) => recordMatches(trx, deps, [{ hunt, ad: adB, cause }]))
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    await t.waitForLockWait('the second transaction waits for the first on the seller row', { blockedBy: first });
    await first.commit();
    const outcome = await second;
    expect(outcome).not.toHaveProperty('result');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(WriteConflict);
    // What the pipeline does with a WriteConflict: the batch again, with fresh reads.
    const again = await t.db.transaction((trx) => recordMatches(trx, deps, [{ hunt, ad: adB, cause }]));
    expect(again).toMatchObject({ leadsCreated: 1, contacted: 0, notContacted: { already_contacted: 1 } });
    expect(await messagesOf(accountId)).toHaveLength(1);
  });

  it('contacts the seller again after the cooldown, or once the previous message failed', async () => {
    const brand = newBrand('Vendeur');
    const { accountId } = await huntFor(brand);
    await ingest(adInput({ brand, phone: '+33611000005' }));
    const [firstLead] = await leadsCount(accountId, 1);
    expect(firstLead!.stage).toBe('contacte');
    // CONTACT_COOLDOWN_DAYS (90) later.
    await t
      .db('seller_contacts')
      .where({ account_id: accountId, phone: '+33611000005' })
      .update({ contacted_at: t.db.raw(`now() - interval '91 days'`) });
    await ingest(adInput({ brand, phone: '+33611000005', hasBeenReposted: true }));
    const leads = await leadsCount(accountId, 2);
    expect(leads.map((l) => [l.stage, l.reason])).toEqual([
      ['contacte', null],
      ['contacte', null],
    ]);
    expect(await messagesOf(accountId)).toHaveLength(2);

    // A message that failed never reached the seller: the next ad of that seller is contacted.
    const second = (await t
      .db('seller_contacts')
      .where({ account_id: accountId, phone: '+33611000005' })
      .first<{ message_id: string }>())!;
    await t.db('messages').where({ id: second.message_id }).update({ status: 'failed', last_error: 'HTTP 422' });
    await ingest(adInput({ brand, phone: '+33611000005' }));
    const three = await leadsCount(accountId, 3);
    expect(three[2]).toMatchObject({ stage: 'contacte', reason: null });
  });
});
