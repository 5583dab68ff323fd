// Sellers' replies reach the dealer: each reply joined to the message it answers and to
// its lead, SellerReplied once, the conversation readable, through the Twilio stand-in's signed
// inbound messages and the generic gateway's webhook.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SellerReplied } from '../../src/events/types.generated.js';
import { startFakeTwilio, twilioServiceEnv, type TwilioAccount } from '../../testkit/fakeTwilio.js';
import { adInput, huntInput, newBrand } from '../../testkit/fixtures.js';
import { apiClient, gatewayWebhookUrl, metricValue, postJson } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { closedForNow, huntForBrand, messageToSeller } from '../../testkit/hunts.js';
import { settledMessage } from '../../testkit/rows.js';

const PUBLIC = 'https://hunt-matcher.example.test';
const ACCOUNT_SID = `AC${'1f2e3d4c'.repeat(4)}`;
const AUTH_TOKEN = 'twilio-replies-auth-token-987654';
const SHARED = '+33757000100';
const ACCOUNT: TwilioAccount = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC };

const t = useTestEnv();
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
let http: ReturnType<typeof apiClient>;
let serviceUrl = '';

beforeAll(async () => {
  twilio = await startFakeTwilio({
    ...ACCOUNT,
    ingress: () => serviceUrl,
    script: () => ({ kind: 'accept', receipt: null }),
  });
  const service = await t.startService({
    ROLES: 'api,relay,matcher,sender',
    MESSAGE_PROVIDERS: 'sms:twilio,whatsapp:twilio',
    ...twilioServiceEnv(twilio, ACCOUNT, { from: SHARED, whatsappFrom: 'whatsapp:+14155238886' }),
    SEND_POLL_MS: '100',
  });
  serviceUrl = service.url;
  http = apiClient(serviceUrl);
});
afterAll(() => twilio.close());

const huntFor = (brand: string, overrides: Parameters<typeof huntInput>[0] = {}, accountId?: string) =>
  huntForBrand(http, t.db, brand, overrides, accountId);
const sentMessage = (accountId: string) => settledMessage(t.db, accountId, 'sent');
const leadOf = (id: string) =>
  t.db('leads').where({ id }).first<{ stage: string; replied_at: Date | null; last_reply_at: Date | null }>();
const repliesTo = async (leadId: string, n: number) => {
  const events = await t.readTopic(
    'messages.replied',
    (e) => e.filter((x) => (x.event?.value as SellerReplied).leadId === leadId).length >= n,
  );
  return events.filter((x) => (x.event?.value as SellerReplied).leadId === leadId);
};

describe('a seller’s reply', () => {
  it('takes "Stop merci" as an opt-out for every account, and keeps its text in the conversation', async () => {
    const brand = newBrand('Reponse');
    const phone = '+33615000009';
    const { message } = await messageToSeller(http, t.db, { brand, phone }, 'sent');
    expect((await twilio.inbound({ from: phone, to: SHARED, body: 'Stop merci' }).answer).status).toBe(200);
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound', reason: 'Stop merci' });
    const conversation = await http.api.get<{ messages: Array<{ direction: string; text: string; status: string }> }>(
      `/v1/leads/${message.lead_id}/messages`,
    );
    expect(
      conversation.body.messages.map((m) => [m.direction, m.status, m.direction === 'inbound' ? m.text : '']),
    ).toEqual([
      ['outbound', 'sent', ''],
      ['inbound', 'opt_out', 'Stop merci'],
    ]);
    expect(await repliesTo(message.lead_id, 0)).toHaveLength(0);
  });

  it('joins its lead, keeps the stage, sets repliedAt and publishes one SellerReplied; the same inbound twice is one row', async () => {
    const brand = newBrand('Reponse');
    const phone = '+33615000001';
    const { accountId, huntId, message } = await messageToSeller(http, t.db, { brand, phone }, 'sent');

    const inbound = twilio.inbound({ from: phone, to: SHARED, body: 'Oui, toujours disponible, appelez-moi' });
    expect((await inbound.answer).status).toBe(200);
    const lead = await waitFor(async () => {
      const l = await leadOf(message.lead_id);
      return l?.replied_at ? l : undefined;
    });
    expect(lead.stage).toBe('contacte');
    expect(lead.last_reply_at).toEqual(lead.replied_at);

    const [event] = await repliesTo(message.lead_id, 1);
    expect(event!.key).toBe(accountId);
    expect(event!.event!.value).toMatchObject({
      leadId: message.lead_id,
      accountId,
      huntId,
      messageId: message.id,
      from: phone,
      to: SHARED,
      text: 'Oui, toujours disponible, appelez-moi',
      provider: 'twilio',
    });
    // SellerReplied follows from the message it answers, in the ad's chain.
    const chain = await t
      .db('messages')
      .where({ id: message.id })
      .first<{ command_event_id: string; correlation_id: string }>();
    expect(event!.headers).toMatchObject({
      'causation-id': chain!.command_event_id,
      'correlation-id': chain!.correlation_id,
    });

    // Twilio posts the same message again (a retry of its webhook): one row, one event.
    expect((await twilio.post(`${PUBLIC}/v1/providers/twilio/inbound`, inbound.params)).status).toBe(200);
    expect(await t.db('inbound_messages').where({ provider: 'twilio', provider_message_id: inbound.sid })).toHaveLength(
      1,
    );
    await t.waitForConsumerGroup('sender', 'messages.send');
    await waitFor(async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0, {
      message: 'outbox empty',
    });
    expect(await repliesTo(message.lead_id, 1)).toHaveLength(1);

    // The conversation, oldest first: our SMS, then the reply.
    const conversation = await http.api.get<{ messages: Array<{ direction: string; text: string; status: string }> }>(
      `/v1/leads/${message.lead_id}/messages`,
    );
    expect(conversation.status).toBe(200);
    expect(conversation.body.messages.map((m) => [m.direction, m.status])).toEqual([
      ['outbound', 'sent'],
      ['inbound', 'reply'],
    ]);
    expect(
      (
        await http.api.get<{ leads: Array<{ id: string; repliedAt: string | null }> }>(
          `/v1/accounts/${accountId}/leads`,
        )
      ).body.leads.find((l) => l.id === message.lead_id)!.repliedAt,
    ).toBe(lead.replied_at!.toISOString());
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_replies_total', { provider: 'twilio', matched: 'true' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('gives each of two dealers who texted the seller from their own numbers their own reply', async () => {
    const brand = newBrand('Reponse');
    const phone = '+33615000002';
    const a = await huntFor(brand);
    const b = await huntFor(brand, { radiusKm: 100 });
    expect((await http.api.patch(`/v1/accounts/${a.accountId}`, { senderNumbers: ['+33757000201'] })).status).toBe(200);
    expect((await http.api.patch(`/v1/accounts/${b.accountId}`, { senderNumbers: ['+33757000202'] })).status).toBe(200);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] });
    const [ma, mb] = [await sentMessage(a.accountId), await sentMessage(b.accountId)];
    // Each account sends from its own number.
    expect(ma.sender).toBe('+33757000201');
    expect(mb.sender).toBe('+33757000202');
    expect(
      twilio
        .messagesTo(phone)
        .map((m) => m.from)
        .sort(),
    ).toEqual(['+33757000201', '+33757000202']);

    await twilio.inbound({ from: phone, to: '+33757000202', body: 'Pour vous, 11 500 €' }).answer;
    await twilio.inbound({ from: phone, to: '+33757000201', body: 'Déjà vendue, désolé' }).answer;
    const [ra] = await repliesTo(ma.lead_id, 1);
    const [rb] = await repliesTo(mb.lead_id, 1);
    expect(ra!.event!.value).toMatchObject({ accountId: a.accountId, text: 'Déjà vendue, désolé', to: '+33757000201' });
    expect(rb!.event!.value).toMatchObject({ accountId: b.accountId, text: 'Pour vous, 11 500 €', to: '+33757000202' });
  });

  it('gives a reply on the shared number to the newest message sent to that phone, whichever account', async () => {
    const [older, newer] = [newBrand('Reponse'), newBrand('Reponse')];
    const phone = '+33615000003';
    const first = await huntFor(older);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand: older, phone })] });
    await sentMessage(first.accountId);
    const second = await huntFor(newer);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand: newer, phone, hasBeenReposted: true })] });
    const latest = await sentMessage(second.accountId);
    await twilio.inbound({ from: phone, to: SHARED, body: 'Oui ?' }).answer;
    const [reply] = await repliesTo(latest.lead_id, 1);
    expect(reply!.event!.value).toMatchObject({ accountId: second.accountId, messageId: latest.id });
  });

  it('attributes a reply that arrives before the send is recorded (a fast seller)', async () => {
    const brand = newBrand('Reponse');
    const phone = '+33615000004';
    const { accountId } = await huntFor(brand, { contactHours: closedForNow() });
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] });
    const pending = await waitFor(() =>
      t.db('messages').where({ account_id: accountId }).first<{ id: string; lead_id: string; status: string }>(),
    );
    expect(pending.status).toBe('pending');
    await twilio.inbound({ from: phone, to: SHARED, body: "C'est pour quelle voiture ?" }).answer;
    const [reply] = await repliesTo(pending.lead_id, 1);
    expect(reply!.event!.value).toMatchObject({ messageId: pending.id });
  });

  it('keeps a reply nothing explains, unmatched and visible to operators, and takes STOP for an opt-out, never a reply', async () => {
    const stranger = '+33615000099';
    await twilio.inbound({ from: stranger, to: SHARED, body: 'Qui êtes-vous ?' }).answer;
    const row = await waitFor(() =>
      t
        .db('inbound_messages')
        .where({ from_phone: stranger })
        .first<{ lead_id: string | null; kind: string; text: string }>(),
    );
    expect(row).toMatchObject({ lead_id: null, kind: 'reply', text: 'Qui êtes-vous ?' });
    const ops = await fetch(`${serviceUrl}/v1/ops/replies`, {
      headers: { authorization: `Bearer ${TOKENS.OPS_TOKEN}` },
    });
    expect(((await ops.json()) as { replies: Array<{ from: string }> }).replies.some((r) => r.from === stranger)).toBe(
      true,
    );
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_replies_total', { provider: 'twilio', matched: 'false' }),
    ).toBeGreaterThanOrEqual(1);

    const brand = newBrand('Reponse');
    const phone = '+33615000005';
    const { message } = await messageToSeller(http, t.db, { brand, phone }, 'sent');
    await twilio.inbound({ from: phone, to: SHARED, body: 'STOP' }).answer;
    expect(await t.db('optouts').where({ phone }).first()).toBeDefined();
    expect(await t.db('inbound_messages').where({ from_phone: phone }).first()).toMatchObject({
      kind: 'opt_out',
      lead_id: message.lead_id,
    });
    expect((await leadOf(message.lead_id))!.replied_at).toBeNull();
    await waitFor(async () => Number((await t.db('outbox').count<{ count: string }[]>('* as count'))[0]!.count) === 0, {
      message: 'outbox empty',
    });
    // Every SellerReplied published so far, read to the end: none for the STOP.
    const total = await t.countMessages('messages.replied');
    expect(total).toBeGreaterThan(0);
    const events = await t.readTopic('messages.replied', (e) => e.length >= total);
    expect(events.filter((e) => (e.event?.value as SellerReplied).from === phone)).toHaveLength(0);
  });

  it('takes a reply from the generic gateway’s webhook too', async () => {
    const brand = newBrand('Reponse');
    const phone = '+33615000006';
    const { message } = await messageToSeller(http, t.db, { brand, phone }, 'sent');
    const body = {
      type: 'inbound',
      id: `gw-${randomUUID()}`,
      from: '06 15 00 00 06',
      text: 'Elle est encore là',
      at: new Date().toISOString(),
    };
    const post = () =>
      postJson(gatewayWebhookUrl(serviceUrl), body).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as unknown,
      }));
    expect(await post()).toMatchObject({
      status: 200,
      body: { status: 'reply', matched: true, leadId: message.lead_id },
    });
    expect(await post()).toMatchObject({ status: 200, body: { status: 'unchanged' } });
    const [reply] = await repliesTo(message.lead_id, 1);
    expect(reply!.event!.value).toMatchObject({ provider: 'http', from: phone, text: 'Elle est encore là' });
  });
});

describe('the conversation', () => {
  it("answers 404 for another account's lead, and for a lead that does not exist", async () => {
    const brand = newBrand('Reponse');
    const { accountId, message } = await messageToSeller(http, t.db, { brand, phone: '+33615000007' }, 'sent');
    const other = (await huntFor(newBrand('Reponse'))).accountId;
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${other}/api-keys`)).body.key;
    expect((await http.call('GET', `/v1/leads/${message.lead_id}/messages`, undefined, key)).status).toBe(404);
    const own = (await http.api.post<{ key: string }>(`/v1/accounts/${accountId}/api-keys`)).body.key;
    expect((await http.call('GET', `/v1/leads/${message.lead_id}/messages`, undefined, own)).status).toBe(200);
    expect((await http.api.get(`/v1/leads/${randomUUID()}/messages`)).status).toBe(404);
    expect((await http.call('GET', `/v1/leads/${message.lead_id}/messages`)).status).toBe(401);
  });
});
