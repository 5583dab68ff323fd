// Opt-outs: STOP through the gateway's webhook, opt-outs by hand, and what they do
// to pending messages, to messages a sender already claimed, and to every account's future leads.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageFailed } from '../../src/events/types.generated.js';
import { insertOptOut } from '../../src/sql/sellers/optouts.js';
import { lockPhoneExclusive } from '../../src/sql/sellers/phoneLocks.js';
import { startFakeGateway, startServiceWithSender, type GatewayRequest } from '../../testkit/fakeGateway.js';
import { adInput, huntInput, newBrand } from '../../testkit/fixtures.js';
import { apiClient, gatewayWebhookUrl, metricValue, postJson } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { closedForNow, huntForBrand, messageToSeller } from '../../testkit/hunts.js';

const t = useTestEnv();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let http: ReturnType<typeof apiClient>;
let apiUrl = '';
/** Gateway answers held back by a test (the sender waits for them), by brand in the content. */
const held = new Map<string, Promise<void>>();

beforeAll(async () => {
  gateway = await startFakeGateway(
    TOKENS.MESSAGE_GATEWAY_TOKEN,
    (request: GatewayRequest) => {
      for (const [brand, until] of held)
        if (request.body.content.includes(brand)) return { status: 202, before: () => until };
      return { status: 202 };
    },
    { url: () => gatewayWebhookUrl(apiUrl) },
  );
  apiUrl = await startServiceWithSender(t, gateway);
  http = apiClient(apiUrl);
});
afterAll(() => gateway.close());

const requestsTo = (phone: string) => gateway.requests.filter((r) => r.body.to === phone);

const huntFor = async (brand: string, overrides: Parameters<typeof huntInput>[0] = {}) =>
  (await huntForBrand(http, t.db, brand, overrides)).accountId;
const ingest = async (...ads: ReturnType<typeof adInput>[]) =>
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
const leadOf = (accountId: string) =>
  waitFor(
    () => t.db('leads').where({ account_id: accountId }).first<{ id: string; stage: string; reason: string | null }>(),
    { message: 'lead created' },
  );
const messageOf = (accountId: string) =>
  waitFor(
    () =>
      t
        .db('messages')
        .where({ account_id: accountId })
        .first<{ id: string; status: string; last_error: string | null; lead_id: string; ad_id: string }>(),
    { message: 'message created' },
  );
const webhook = (body: unknown, secret = TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET) =>
  postJson(gatewayWebhookUrl(apiUrl, secret), body).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }));
const failedEventOf = async (messageId: string) => {
  const events = await t.readTopic('messages.failed', (e) =>
    e.some((x) => (x.event?.value as MessageFailed).messageId === messageId),
  );
  return events.filter((x) => (x.event?.value as MessageFailed).messageId === messageId);
};

describe('the gateway webhook', () => {
  it('answers 401 to a wrong secret, and writes nothing', async () => {
    const response = await webhook(
      { type: 'inbound', from: '+33611999001', text: 'STOP', at: new Date().toISOString() },
      'not-the-secret',
    );
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'unauthorized' });
    expect(await t.db('optouts').where({ phone: '+33611999001' }).first()).toBeUndefined();
  });

  it('answers 400 naming the field to a malformed callback, 404 to a receipt for an unknown message', async () => {
    const at = new Date().toISOString();
    expect((await webhook({ type: 'status', messageId: randomUUID(), at })).body).toMatchObject({
      field: 'body/status',
    });
    expect((await webhook({ type: 'status', messageId: randomUUID(), status: 'read', at })).body).toMatchObject({
      field: 'body/status',
    });
    expect((await webhook({ type: 'status', status: 'delivered', at })).body).toMatchObject({
      field: 'body/messageId',
    });
    expect(
      (await webhook({ type: 'status', messageId: randomUUID(), status: 'delivered', at: 'yesterday' })).body,
    ).toMatchObject({ field: 'body/at' });
    expect((await webhook({ type: 'inbound', from: '+33611999002', at })).body).toMatchObject({ field: 'body/text' });
    const badPhone = await webhook({ type: 'inbound', from: 'not a phone', text: 'STOP', at });
    expect(badPhone).toMatchObject({ status: 400, body: { field: 'body/from' } });
    expect((await webhook({ type: 'smoke', at })).body).toMatchObject({ field: 'body/type' });
    const unknown = await webhook({ type: 'status', messageId: randomUUID(), status: 'delivered', at });
    expect(unknown.status).toBe(404);
    expect(await t.db('optouts')).toEqual([]);
  });

  it('cancels a STOP sender’s pending message: failed opted_out, lead nouveau/opted_out, contact released, MessageFailed permanent, never sent', async () => {
    const brand = newBrand('Stop');
    const phone = '+33611999003';
    const { accountId, message } = await messageToSeller(http, t.db, {
      brand,
      phone,
      hunt: { contactHours: closedForNow() },
    });
    expect(message.status).toBe('pending');
    expect(await leadOf(accountId)).toMatchObject({ stage: 'contacte' });

    const before = {
      optOuts: await metricValue(apiUrl, 'hunt_matcher_optouts_total', { source: 'inbound' }),
      cancelled: await metricValue(apiUrl, 'hunt_matcher_optout_cancelled_messages_total'),
    };
    // The seller answers "Stop" (any case, accents, spaces), from the number written the French way.
    const answer = await gateway.callback({
      type: 'inbound',
      from: '06 11 99 90 03',
      text: '  Stop ',
      at: new Date().toISOString(),
    });
    expect(answer).toMatchObject({ status: 200, body: { status: 'opted_out', phone, cancelled: 1 } });
    expect(await t.db('messages').where({ id: message.id }).first()).toMatchObject({
      status: 'failed',
      last_error: 'opted_out',
    });
    expect(await leadOf(accountId)).toMatchObject({ stage: 'nouveau', reason: 'opted_out' });
    expect(await t.db('contacted_ads').where({ account_id: accountId })).toHaveLength(0);
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound', reason: 'Stop' });
    const [failed, ...more] = await failedEventOf(message.id);
    expect(more).toHaveLength(0);
    expect(failed!.event!.value).toMatchObject({
      accountId,
      leadId: message.lead_id,
      reason: 'opted_out',
      permanent: true,
    });

    // The same STOP again changes nothing, and operators see one opt-out and one cancelled message.
    expect(
      await gateway.callback({ type: 'inbound', from: phone, text: 'STOP', at: new Date().toISOString() }),
    ).toMatchObject({ status: 200, body: { status: 'unchanged', cancelled: 0 } });
    expect(await metricValue(apiUrl, 'hunt_matcher_optouts_total', { source: 'inbound' })).toBe(before.optOuts + 1);
    expect(await metricValue(apiUrl, 'hunt_matcher_optout_cancelled_messages_total')).toBe(before.cancelled + 1);
    // Even once its hours open, the message is not sent: it is no longer pending.
    await t
      .db('messages')
      .where({ id: message.id })
      .update({ next_attempt_at: t.db.raw('now()') });
    expect(requestsTo(phone)).toHaveLength(0);
    expect(await t.db('messages').where({ id: message.id }).first()).toMatchObject({ status: 'failed', attempts: 0 });
  });

  it('recognises the opt-out words as a message’s first or last word (STOP SMS, ARRET, ARRÊT, Stop merci …), and takes any other message for a reply', async () => {
    const words = [
      'STOP SMS',
      'arret',
      'ARRÊT',
      'Désabonnement',
      'unsubscribe',
      'Stop merci',
      'Merci de ne plus écrire. STOPALL',
    ];
    for (const [i, text] of words.entries()) {
      const phone = `+3361199910${i}`;
      expect(
        (await webhook({ type: 'inbound', from: phone, text, at: new Date().toISOString() })).body,
        text,
      ).toMatchObject({ status: 'opted_out', phone });
    }
    expect(
      await t.db('optouts').whereIn(
        'phone',
        words.map((_, i) => `+3361199910${i}`),
      ),
    ).toHaveLength(words.length);
    // Not a STOP: a reply, kept unmatched when no message of ours went to that phone.
    const reply = await webhook({
      type: 'inbound',
      from: '+33611999110',
      text: 'Je vends à 12 000 €, stop aux offres plus basses svp',
      at: new Date().toISOString(),
    });
    expect(reply.body).toMatchObject({ status: 'reply', matched: false });
    expect(await t.db('optouts').where({ phone: '+33611999110' }).first()).toBeUndefined();
  });

  it('makes a matcher wait for an opt-out under way, and then see it', async () => {
    const brand = newBrand('Stop');
    const phone = '+33611999008';
    const accountId = await huntFor(brand);
    const optOut = await t.db.transaction();
    await lockPhoneExclusive(optOut, phone);
    await insertOptOut(optOut, { phone, source: 'api', reason: null }, new Date());
    await ingest(adInput({ brand, phone }));
    await t.waitForLockWait('the matcher waits for the opt-out', { blockedBy: optOut });
    await optOut.commit();
    const lead = await waitFor(async () => {
      const l = await t.db('leads').where({ account_id: accountId }).first<{ stage: string; reason: string | null }>();
      return l?.reason ? l : undefined;
    });
    expect(lead).toMatchObject({ stage: 'nouveau', reason: 'opted_out' });
    expect(await t.db('messages').where({ account_id: accountId })).toHaveLength(0);
  });

  it('does not make an opt-out wait for a gateway call under way, and records that message as sent', async () => {
    const brand = newBrand('Stop');
    const phone = '+33611999005';
    let release!: () => void;
    held.set(brand, new Promise<void>((resolve) => (release = resolve)));
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    await waitFor(() => requestsTo(phone).length === 1, { message: 'the gateway has the message' });
    // The sender holds no lock across its call: the opt-out commits while the gateway still holds the answer.
    const response = await http.api.post<{ cancelled: number }>('/v1/optouts', { phone });
    expect(response).toMatchObject({ status: 201, body: { phone, source: 'api', cancelled: 0 } });
    expect((await messageOf(accountId)).status).toBe('pending');
    release();
    // The call was under way before the opt-out: the seller has the message, and the record says so.
    const message = await waitFor(async () => {
      const m = await messageOf(accountId);
      return m.status === 'sent' ? m : undefined;
    });
    expect(message.last_error).toBeNull();
    expect(await leadOf(accountId)).toMatchObject({ stage: 'contacte', reason: null });
    expect(requestsTo(phone)).toHaveLength(1);
  });
});

describe('opt-outs by hand', () => {
  it('opts a number out for every account, shows it, and lifts it', async () => {
    const brand = newBrand('Stop');
    const phone = '+33611999006';
    const created = await http.api.post('/v1/optouts', { phone: '06 11 99 90 06', reason: 'a appelé le garage' });
    expect(created).toMatchObject({
      status: 201,
      body: {
        phone,
        source: 'api',
        reason: 'a appelé le garage',
        cancelled: 0,
        createdAt: expect.any(String) as unknown,
      },
    });
    const again = await http.api.post('/v1/optouts', { phone });
    expect(again).toMatchObject({ status: 200, body: { phone, reason: 'a appelé le garage', cancelled: 0 } });
    const shown = await http.api.get(`/v1/optouts/${encodeURIComponent('+33611999006')}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      phone,
      source: 'api',
      reason: 'a appelé le garage',
      createdAt: (created.body as { createdAt: string }).createdAt,
    });
    expect((await http.api.get('/v1/optouts/0611999006')).status).toBe(200);

    const [first, second] = [await huntFor(brand), await huntFor(brand)];
    await ingest(adInput({ brand, phone }));
    for (const account of [first, second])
      expect(await leadOf(account)).toMatchObject({ stage: 'nouveau', reason: 'opted_out' });
    expect(await t.db('messages').whereIn('account_id', [first, second])).toHaveLength(0);

    expect((await http.api.delete(`/v1/optouts/${phone}`)).status).toBe(204);
    expect((await http.api.get(`/v1/optouts/${phone}`)).status).toBe(404);
    expect((await http.api.delete(`/v1/optouts/${phone}`)).status).toBe(404);
    // Lifted: the seller's next ad is contacted.
    const third = await huntFor(brand);
    await ingest(adInput({ brand, phone, model: '208' }));
    await waitFor(async () => (await t.db('leads').where({ account_id: third, stage: 'contacte' })).length === 1, {
      message: 'contacted again',
    });
  });

  it('refuses a missing token, an unreadable phone and an unknown field', async () => {
    expect((await http.call('POST', '/v1/optouts', { phone: '+33611999007' })).status).toBe(401);
    expect((await http.call('GET', '/v1/optouts/+33611999007')).status).toBe(401);
    expect(await http.api.post('/v1/optouts', { phone: '12' })).toMatchObject({
      status: 400,
      body: { field: 'body/phone' },
    });
    expect(await http.api.post('/v1/optouts', {})).toMatchObject({ status: 400, body: { field: 'body/phone' } });
    expect(await http.api.post('/v1/optouts', { phone: '+33611999007', source: 'inbound' })).toMatchObject({
      status: 400,
      body: { field: 'body/source' },
    });
    expect(await http.api.get('/v1/optouts/nope')).toMatchObject({ status: 400, body: { field: 'params/phone' } });
    expect(await t.db('optouts').where({ phone: '+33611999007' }).first()).toBeUndefined();
  });
});
