// Sending through Twilio and taking its signed callbacks, against a local stand-in of
// Twilio (testkit/fakeTwilio.ts) that signs with the twilio package's own function. The service is
// reached at PUBLIC_BASE_URL (https://hunt-matcher.example.test), which the stand-in delivers to the
// port the service listens on, as an ingress would: signatures are made for the public URL.
import { randomUUID } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTime } from '../../src/domain/calendar.js';
import type { MessageDelivered, MessageFailed } from '../../src/events/types.generated.js';
import { startFakeTwilio } from '../../testkit/fakeTwilio.js';
import { adInput, huntInput, newBrand } from '../support/fixtures.js';
import { apiClient, metricValue } from '../support/http.js';
import { TOKENS, useTestEnv } from '../support/testEnv.js';
import { waitFor } from '../support/waitFor.js';

const PUBLIC = 'https://hunt-matcher.example.test';
const ACCOUNT_SID = `AC${'0a1b2c3d'.repeat(4)}`;
const AUTH_TOKEN = 'twilio-test-auth-token-0123456789';
const FROM = '+33757000001';
const WHATSAPP_FROM = 'whatsapp:+14155238886';

const t = useTestEnv();
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
let http: ReturnType<typeof apiClient>;
let serviceUrl = '';

beforeAll(async () => {
  twilio = await startFakeTwilio({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    publicBaseUrl: PUBLIC,
    ingress: () => serviceUrl,
  });
  const service = await t.startService({
    ROLES: 'api,relay,matcher,sender',
    MESSAGE_PROVIDERS: 'sms:twilio,whatsapp:twilio,leboncoin:http',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: FROM,
    TWILIO_WHATSAPP_FROM: WHATSAPP_FROM,
    TWILIO_API_URL: twilio.url,
    PUBLIC_BASE_URL: PUBLIC,
    // A stalled answer is given up after a second, then looked up.
    MESSAGE_GATEWAY_TIMEOUT_MS: '1000',
    SEND_RETRY_BASE_MS: '200',
    SEND_POLL_MS: '100',
  });
  serviceUrl = service.url;
  http = apiClient(serviceUrl);
});
afterAll(() => twilio.close());

async function huntFor(brand: string, overrides: Parameters<typeof huntInput>[0] = {}) {
  const accountId = randomUUID();
  const response = await http.api.post<{ id: string }>(
    '/v1/hunts',
    huntInput({ accountId, brands: [brand], ...overrides }),
  );
  expect(response.status).toBe(201);
  await waitFor(
    async () =>
      (await t.db('hunts').where({ id: response.body.id }).whereNotNull('last_scan_at').first()) !== undefined,
    { message: 'hunt backfilled' },
  );
  return accountId;
}
const ingest = async (...ads: ReturnType<typeof adInput>[]) =>
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
interface Message {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  last_error: string | null;
  lead_id: string;
  provider: string | null;
  sender: string | null;
  delivery_status: string | null;
  delivery_error: string | null;
  content: string;
}
const messageOf = (accountId: string) =>
  waitFor(() => t.db('messages').where({ account_id: accountId }).first<Message>(), { message: 'message decided' });
const settled = (accountId: string, status: 'sent' | 'failed') =>
  waitFor(
    async () => {
      const m = await t.db('messages').where({ account_id: accountId }).first<Message>();
      return m?.status === status ? m : undefined;
    },
    { message: `message ${status}` },
  );
const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
const closedForNow = () => ({
  days: [isoWeekday(localTime(new Date(Date.now() + 2 * 86_400_000), 'Europe/Paris').day)],
  from: '08:00',
  to: '20:00',
});

describe('sending through Twilio', () => {
  it('sends a lead’s SMS form-encoded from TWILIO_FROM, keeps its sid, and takes the signed delivery receipt as MessageDelivered', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000101';
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    const [taken] = twilio.messagesTo(phone);
    expect(taken).toMatchObject({ from: FROM, messagingServiceSid: null, body: sent.content });
    expect(taken!.statusCallback).toBe(`${PUBLIC}/v1/providers/twilio/status?messageId=${sent.id}`);
    expect(sent).toMatchObject({ external_id: taken!.sid, provider: 'twilio', sender: FROM, attempts: 1 });
    expect(sent.content).toMatch(/^Garage Test : /);
    expect(sent.content).toMatch(/Répondez STOP pour ne plus recevoir nos SMS$/);
    const delivered = await waitFor(
      async () => {
        const m = await t.db('messages').where({ id: sent.id }).first<Message>();
        return m?.delivery_status === 'delivered' ? m : undefined;
      },
      { message: 'delivered' },
    );
    expect(delivered.delivery_error).toBeNull();
    const events = await t.readTopic('messages.delivered', (e) =>
      e.some((x) => (x.event?.value as MessageDelivered).messageId === sent.id),
    );
    expect(
      events.filter((x) => (x.event?.value as MessageDelivered).messageId === sent.id).map((x) => x.event!.value),
    ).toEqual([expect.objectContaining({ status: 'DELIVERED', provider: 'twilio', errorCode: null })]);
    // Both callbacks ("sent", then "delivered") were accepted, Twilio's extra parameters included.
    expect(
      twilio.callbacks.filter((c) => c.params.MessageSid === taken!.sid).map((c) => [c.params.MessageStatus, c.status]),
    ).toEqual([
      ['sent', 200],
      ['delivered', 200],
    ]);
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_provider_requests_total', { provider: 'twilio', outcome: 'sent' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_provider_callbacks_total', {
        provider: 'twilio',
        kind: 'status',
        outcome: 'recorded',
      }),
    ).toBeGreaterThanOrEqual(1);
    // The console's figures per provider.
    const figures = await fetch(`${serviceUrl}/v1/ops/providers`, {
      headers: { authorization: `Bearer ${TOKENS.OPS_TOKEN}` },
    });
    const twilioFigures = (
      (await figures.json()) as { providers: Array<{ provider: string; sent: number; delivered: number }> }
    ).providers.find((p) => p.provider === 'twilio');
    expect(twilioFigures!.sent).toBeGreaterThanOrEqual(1);
    expect(twilioFigures!.delivered).toBeGreaterThanOrEqual(1);
  });

  it('records an undelivered receipt with Twilio’s ErrorCode', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000102';
    twilio.script((r) =>
      r.to === phone
        ? { kind: 'accept', receipt: 'undelivered', errorCode: '30005' }
        : { kind: 'accept', receipt: 'delivered' },
    );
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    const undelivered = await waitFor(
      async () => {
        const m = await t.db('messages').where({ id: sent.id }).first<Message>();
        return m?.delivery_status === 'undelivered' ? m : undefined;
      },
      { message: 'undelivered' },
    );
    expect(undelivered.delivery_error).toBe('30005');
  });

  it('opts the phone out for every account on 21610: the message fails opted_out, the lead is nouveau again, another account’s pending message is cancelled', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000103';
    twilio.script((r) =>
      r.to === phone
        ? { kind: 'error', status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }
        : { kind: 'accept' },
    );
    // Another dealer's message to the same seller waits for its contact hours.
    const waiting = await huntFor(brand, { contactHours: closedForNow(), radiusKm: 100 });
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const failed = await settled(accountId, 'failed');
    expect(failed.last_error).toBe('opted_out');
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'opted_out',
    });
    expect(await t.db('contacted_ads').where({ account_id: accountId })).toHaveLength(0);
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({
      source: 'provider',
      reason: expect.stringContaining('21610') as unknown,
    });
    const other = await settled(waiting, 'failed');
    expect(other.last_error).toBe('opted_out');
    expect(twilio.requests.filter((r) => r.to === phone)).toHaveLength(1);
    const events = await t.readTopic('messages.failed', (e) =>
      [failed.id, other.id].every((id) => e.some((x) => (x.event?.value as MessageFailed).messageId === id)),
    );
    for (const id of [failed.id, other.id])
      expect(events.find((x) => (x.event?.value as MessageFailed).messageId === id)!.event!.value).toMatchObject({
        reason: 'opted_out',
        permanent: true,
      });
    // A third dealer's hunt later finds the seller opted out.
    const third = await huntFor(brand, { radiusKm: 150 });
    expect(await waitFor(() => t.db('leads').where({ account_id: third }).first<{ reason: string }>())).toMatchObject({
      stage: 'nouveau',
      reason: 'opted_out',
    });
  });

  it('gives up on 21614 (not a mobile): the lead says not_mobile', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000104';
    twilio.script((r) =>
      r.to === phone
        ? { kind: 'error', status: 400, code: 21614, message: `'To' number is not a valid mobile number` }
        : { kind: 'accept' },
    );
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const failed = await settled(accountId, 'failed');
    expect(failed.last_error).toBe('not_mobile');
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'not_mobile',
      reason_detail: expect.stringContaining('21614') as unknown,
    });
  });

  it('waits for Retry-After on a 429 and sends the message once', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000105';
    twilio.script((r, attempt) =>
      r.to === phone && attempt === 1
        ? { kind: 'error', status: 429, code: 20429, message: 'Too Many Requests', headers: { 'retry-after': '2' } }
        : { kind: 'accept' },
    );
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    const calls = twilio.requests.filter((r) => r.to === phone);
    expect(calls.map((c) => c.status)).toEqual([429, 201]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(twilio.messagesTo(phone)).toHaveLength(1);
    expect(sent.attempts).toBe(2);
  });

  it('looks a stalled request up instead of sending it again: never two messages', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000106';
    // Twilio takes the message, and its answer comes after the sender gave up waiting (1 s).
    twilio.script((r, attempt) => (r.to === phone && attempt === 1 ? { kind: 'stall', ms: 3000 } : { kind: 'accept' }));
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    expect(twilio.messagesTo(phone)).toHaveLength(1);
    expect(twilio.requests.filter((r) => r.to === phone)).toHaveLength(1);
    expect(sent).toMatchObject({ external_id: twilio.messagesTo(phone)[0]!.sid, attempts: 2 });
    expect(twilio.lookups.some((l) => l.query.To === phone && l.query.From === FROM)).toBe(true);
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_provider_requests_total', {
        provider: 'twilio',
        outcome: 'looked_up',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('sends again after a lookup that finds nothing: the doubtful request never reached Twilio', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000107';
    const accountId = await huntFor(brand, { contactHours: closedForNow() });
    await ingest(adInput({ brand, phone }));
    const pending = await messageOf(accountId);
    // What a crash between the call and its record leaves: an attempt begun, its outcome unknown.
    await t
      .db('messages')
      .where({ id: pending.id })
      .update({
        attempts: 1,
        unconfirmed_since: t.db.raw(`now() - interval '1 minute'`),
        next_attempt_at: t.db.raw('now()'),
      });
    const sent = await settled(accountId, 'sent');
    expect(twilio.lookups.some((l) => l.query.To === phone)).toBe(true);
    expect(twilio.messagesTo(phone)).toHaveLength(1);
    expect(sent.attempts).toBe(2);
  });

  it('sends WhatsApp with the whatsapp: prefix on To and From', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000108';
    const accountId = await huntFor(brand, {
      outreach: { channel: 'whatsapp', template: 'Bonjour, votre {{marque}} nous intéresse.' },
    });
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    const [taken] = twilio.messagesTo(`whatsapp:${phone}`);
    expect(taken).toMatchObject({ to: `whatsapp:${phone}`, from: WHATSAPP_FROM, body: sent.content });
    expect(sent.content).toMatch(/^Garage Test : Bonjour/);
    expect(sent.sender).toBe(WHATSAPP_FROM);
  });
});

describe("Twilio's callbacks", () => {
  const statusUrl = (messageId: string) => `${PUBLIC}/v1/providers/twilio/status?messageId=${messageId}`;
  const postSigned = (publicUrl: string, params: Record<string, string>, signature: string | null) =>
    fetch(publicUrl.replace(PUBLIC, serviceUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(params).toString(),
    });

  it('refuses a wrong or missing signature with 403 and records nothing', async () => {
    const brand = newBrand('Twilio');
    // Twilio sends no receipt of its own for this message: the test posts it.
    twilio.script(() => ({ kind: 'accept', receipt: null }));
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone: '+33612000201' }));
    const sent = await settled(accountId, 'sent');
    const params = {
      MessageSid: sent.external_id!,
      MessageStatus: 'delivered',
      AccountSid: ACCOUNT_SID,
      To: '+33612000201',
      From: FROM,
    };
    const url = statusUrl(sent.id);
    expect((await postSigned(url, params, null)).status).toBe(403);
    expect((await postSigned(url, params, getExpectedTwilioSignature('not-the-token', url, params))).status).toBe(403);
    // Signed for another URL (the message id changed), or with a parameter changed after signing.
    expect(
      (await postSigned(url, params, getExpectedTwilioSignature(AUTH_TOKEN, statusUrl(randomUUID()), params))).status,
    ).toBe(403);
    expect(
      (
        await postSigned(
          url,
          { ...params, MessageStatus: 'undelivered' },
          getExpectedTwilioSignature(AUTH_TOKEN, url, params),
        )
      ).status,
    ).toBe(403);
    const stop = {
      MessageSid: `SM${'f'.repeat(32)}`,
      From: '+33612000202',
      To: FROM,
      Body: 'STOP',
      OptOutType: 'STOP',
      AccountSid: ACCOUNT_SID,
    };
    const inboundUrl = `${PUBLIC}/v1/providers/twilio/inbound`;
    expect(
      (await postSigned(inboundUrl, stop, getExpectedTwilioSignature('not-the-token', inboundUrl, stop))).status,
    ).toBe(403);
    expect((await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status).toBeNull();
    expect(await t.db('optouts').where({ phone: '+33612000202' }).first()).toBeUndefined();
    // Signed right, the same receipt is taken.
    const ok = await postSigned(url, params, getExpectedTwilioSignature(AUTH_TOKEN, url, params));
    expect(ok.status).toBe(200);
    expect((await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status).toBe('delivered');
    twilio.script(() => ({ kind: 'accept', receipt: 'delivered' }));
  });

  it('answers 400 naming the parameter to a signed callback it cannot read, and tolerates unknown parameters', async () => {
    const url = statusUrl(randomUUID());
    const bad = { MessageSid: 'not-a-sid', MessageStatus: 'delivered', AccountSid: ACCOUNT_SID };
    const res = await postSigned(url, bad, getExpectedTwilioSignature(AUTH_TOKEN, url, bad));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'body/MessageSid' });
    const unknown = {
      MessageSid: `SM${'e'.repeat(32)}`,
      MessageStatus: 'delivered',
      AccountSid: ACCOUNT_SID,
      SomethingNew: 'x',
    };
    const res2 = await postSigned(url, unknown, getExpectedTwilioSignature(AUTH_TOKEN, url, unknown));
    expect(res2.status).toBe(200);
    expect(await res2.json()).toEqual({ status: 'unknown' });
  });

  it('opts a phone out on STOP (Advanced Opt-Out, or the word alone) and back in on START, answering an empty TwiML', async () => {
    const phone = '+33612000203';
    const stop = twilio.inbound({ from: phone, to: FROM, body: 'Stop', optOutType: 'STOP' });
    const answer = await stop.answer;
    expect(answer).toMatchObject({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound' });
    expect((await twilio.inbound({ from: phone, to: FROM, body: 'START', optOutType: 'START' }).answer).status).toBe(
      200,
    );
    expect(await t.db('optouts').where({ phone }).first()).toBeUndefined();
    // Without Advanced Opt-Out, the words themselves (the STOP words, then UNSTOP).
    await twilio.inbound({ from: phone, to: FROM, body: 'ARRET' }).answer;
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound' });
    await twilio.inbound({ from: phone, to: FROM, body: 'unstop' }).answer;
    expect(await t.db('optouts').where({ phone }).first()).toBeUndefined();
    // WhatsApp senders come as whatsapp:+E.164.
    await twilio.inbound({ from: `whatsapp:${phone}`, to: WHATSAPP_FROM, body: 'STOP' }).answer;
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound' });
  });
});

describe('the French rules', () => {
  it('refuses, naming outreach/template, a template whose longest SMS needs more than SMS_MAX_SEGMENTS segments', async () => {
    const long = `Bonjour {{vendeur_nom}}, ${'votre annonce nous intéresse beaucoup. '.repeat(8)}{{titre_annonce}}`;
    const response = await http.api.post<{ field: string; message: string }>(
      '/v1/hunts',
      huntInput({ outreach: { channel: 'sms', template: long } }),
    );
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('body/outreach/template');
    expect(response.body.message).toMatch(/needs \d+ SMS segments at its longest/);
    // One character outside GSM-7 makes the SMS UCS-2: 70 characters a segment, and the message says which.
    const ucs2 =
      'Bonjour « {{vendeur_nom}} », votre {{marque}} {{modele}} de {{annee}} à {{prix}} à {{ville}} nous intéresse : {{titre_annonce}}';
    const refused = await http.api.post<{ field: string; message: string }>(
      '/v1/hunts',
      huntInput({ outreach: { channel: 'sms', template: ucs2 } }),
    );
    expect(refused).toMatchObject({ status: 400, body: { field: 'body/outreach/template' } });
    expect(refused.body.message).toContain('UCS-2');
    expect(refused.body.message).toContain('"«"');
    // The same words in GSM-7 fit.
    expect(
      (
        await http.api.post(
          '/v1/hunts',
          huntInput({ outreach: { channel: 'sms', template: ucs2.replace(/[«»]/g, '"') } }),
        )
      ).status,
    ).toBe(201);
  });
});
