// Sending through Twilio and taking its signed callbacks, against a local stand-in of
// Twilio (testkit/fakeTwilio.ts) that signs with the twilio package's own function. The service is
// reached at PUBLIC_BASE_URL (https://hunt-matcher.example.test), which the stand-in delivers to the
// port the service listens on, as an ingress would: signatures are made for the public URL. The
// service's clock (and Twilio's) runs with the real one, moved forward when a test needs a hold's
// probe (every 10 minutes here) to come due.
import { randomUUID } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTime } from '../../src/domain/calendar.js';
import type { MessageDelivered, MessageFailed, SendMessage } from '../../src/events/types.generated.js';
import type { Clock } from '../../src/platform/clock.js';
import {
  carrierFiltered,
  startFakeTwilio,
  twilioServiceEnv,
  undelivered,
  type TwilioAccount,
} from '../../testkit/fakeTwilio.js';
import { adInput, huntInput, newBrand } from '../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { closedForNow, huntForBrand, isoWeekday, messageToSeller } from '../../testkit/hunts.js';
import { settledMessage, type StoredMessage } from '../../testkit/rows.js';

const PUBLIC = 'https://hunt-matcher.example.test';
const ACCOUNT_SID = `AC${'0a1b2c3d'.repeat(4)}`;
const AUTH_TOKEN = 'twilio-test-auth-token-0123456789';
const FROM = '+33757000001';
const WHATSAPP_FROM = 'whatsapp:+14155238886';
const ACCOUNT: TwilioAccount = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC };

const CONTENT_SID = `HX${'0123456789abcdef'.repeat(2)}`;
const PROBE_EVERY_MS = 600_000;

const t = useTestEnv();
let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
let http: ReturnType<typeof apiClient>;
let serviceUrl = '';
/** How far the service's (and Twilio's) clock runs ahead of the real one. */
let aheadMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + aheadMs) };

beforeAll(async () => {
  twilio = await startFakeTwilio({
    ...ACCOUNT,
    ingress: () => serviceUrl,
    now: () => clock.now(),
  });
  const service = await t.startService(
    {
      ROLES: 'api,relay,matcher,sender',
      MESSAGE_PROVIDERS: 'sms:twilio,whatsapp:twilio,leboncoin:http',
      ...twilioServiceEnv(twilio, ACCOUNT, { from: FROM, whatsappFrom: WHATSAPP_FROM }),
      // A stalled answer is given up after a second, then looked up.
      MESSAGE_GATEWAY_TIMEOUT_MS: '1000',
      SEND_RETRY_BASE_MS: '200',
      SEND_POLL_MS: '100',
      SENDING_PROBE_EVERY_MS: String(PROBE_EVERY_MS),
      // A message whose final status does not come within 2 s is read back at Twilio.
      RECEIPT_RECONCILE_AFTER_MS: '2000',
    },
    { clock },
  );
  serviceUrl = service.url;
  http = apiClient(serviceUrl);
});
afterAll(() => twilio.close());

const huntFor = async (brand: string, overrides: Parameters<typeof huntInput>[0] = {}) =>
  (await huntForBrand(http, t.db, brand, overrides)).accountId;
const ingest = async (...ads: ReturnType<typeof adInput>[]) =>
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
type Message = StoredMessage;
const settled = (accountId: string, status: 'sent' | 'failed') => settledMessage(t.db, accountId, status);
/** A dealer's hunt for `brand`, a seller's ad with `phone`, and its message once `status`. */
const messageTo = (brand: string, phone: string, status: 'sent' | 'failed') =>
  messageToSeller(http, t.db, { brand, phone }, status);

describe('sending through Twilio', () => {
  it('sends a lead’s SMS form-encoded from TWILIO_FROM, keeps its sid, and takes the signed delivery receipt as MessageDelivered', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000101';
    const { message: sent } = await messageTo(brand, phone, 'sent');
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

  it('fails a message whose status callback says 30006 after it was sent, as a refusal at send time: not_mobile, the seller free, MessageFailed with the code; a delivered after it changes nothing', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000102';
    twilio.script((r) =>
      r.to === phone
        ? {
            kind: 'accept',
            callbacks: [{ status: 'sent' }, { status: 'undelivered', errorCode: '30006' }, { status: 'delivered' }],
          }
        : { kind: 'accept', receipt: 'delivered' },
    );
    const { accountId, message: failed } = await messageTo(brand, phone, 'failed');
    expect(failed).toMatchObject({ last_error: 'not_mobile', delivery_status: 'undelivered', delivery_error: '30006' });
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'not_mobile',
      reason_detail: expect.stringContaining('30006') as unknown,
    });
    expect(await t.db('contacted_ads').where({ account_id: accountId })).toHaveLength(0);
    const events = await t.readTopic('messages.failed', (e) =>
      e.some((x) => (x.event?.value as MessageFailed).messageId === failed.id),
    );
    expect(
      events.filter((x) => (x.event?.value as MessageFailed).messageId === failed.id).map((x) => x.event!.value),
    ).toEqual([
      expect.objectContaining({ reason: 'not_mobile', permanent: true, errorCode: '30006', provider: 'twilio' }),
    ]);
    // Every callback was taken (200); the delivered that came after the failure changed nothing.
    await waitFor(() => twilio.callbacks.filter((c) => c.params.To === phone).length === 3, { message: 'callbacks' });
    expect(twilio.callbacks.filter((c) => c.params.To === phone).map((c) => c.status)).toEqual([200, 200, 200]);
    expect(await t.db('messages').where({ id: failed.id }).first<Message>()).toMatchObject({
      status: 'failed',
      delivery_status: 'undelivered',
    });
    // The seller is free: another ad of theirs is contacted by the same account.
    twilio.script(() => ({ kind: 'accept', receipt: 'delivered' }));
    await ingest(adInput({ brand, phone }));
    await waitFor(async () => (await t.db('messages').where({ account_id: accountId, status: 'sent' })).length === 1, {
      message: 'the seller contacted again',
    });
    const delivered = await t.readTopic('messages.delivered', (e) =>
      e.some((x) => (x.event?.value as MessageDelivered).messageId === failed.id),
    );
    expect(delivered.filter((x) => (x.event?.value as MessageDelivered).messageId === failed.id)).toHaveLength(1);
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
    const { accountId, message: failed } = await messageTo(brand, phone, 'failed');
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
    const { message: failed } = await messageTo(brand, phone, 'failed');
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
    const { message: sent } = await messageTo(brand, phone, 'sent');
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
    const { message: sent } = await messageTo(brand, phone, 'sent');
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
    const { accountId, message: pending } = await messageToSeller(http, t.db, {
      brand,
      phone,
      hunt: { contactHours: closedForNow() },
    });
    // What a crash between the call and its record leaves: an attempt begun, its outcome unknown (the
    // hunt's window open, as it was then).
    await t.db('hunts').where({ account_id: accountId }).update({ contact_hours: null });
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

  it('sends a WhatsApp lead its approved template: ContentSid and ContentVariables, no Body, from the whatsapp: sender', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000108';
    twilio.script(() => ({ kind: 'accept', receipt: 'delivered' }));
    const accountId = await huntFor(brand, {
      outreach: {
        channel: 'whatsapp',
        contentSid: CONTENT_SID,
        contentVariables: { '1': '{{vendeur_nom}}', '2': '{{marque}} {{modele}}' },
      },
    });
    await ingest(adInput({ brand, phone, ownerName: null }));
    const sent = await settled(accountId, 'sent');
    const [taken] = twilio.messagesTo(`whatsapp:${phone}`);
    expect(taken).toMatchObject({
      to: `whatsapp:${phone}`,
      from: WHATSAPP_FROM,
      contentSid: CONTENT_SID,
      // An empty value is one Twilio refuses: the service sends "-".
      contentVariables: { '1': '-', '2': `${brand} 308` },
    });
    const request = twilio.requests.find((r) => r.to === `whatsapp:${phone}`)!;
    expect(request.form.Body).toBeUndefined();
    expect(JSON.parse(request.form.ContentVariables!)).toEqual({ '1': '-', '2': `${brand} 308` });
    expect(sent.sender).toBe(WHATSAPP_FROM);
    expect(sent.content).toContain(CONTENT_SID);
    await waitFor(
      async () => (await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status === 'delivered',
      {
        message: 'delivered',
      },
    );
  });

  it('refuses a WhatsApp hunt without an approved template, naming outreach/contentSid, and writes nothing', async () => {
    const accountId = randomUUID();
    const refused = await http.api.post<{ field: string; message: string }>(
      '/v1/hunts',
      huntInput({
        accountId,
        outreach: { channel: 'whatsapp', template: 'Bonjour, votre {{marque}} nous intéresse.' },
      }),
    );
    expect(refused).toMatchObject({ status: 400, body: { field: 'body/outreach/contentSid' } });
    expect(refused.body.message).toMatch(/approved template/);
    const noSmsText = await http.api.post<{ field: string }>(
      '/v1/hunts',
      huntInput({ accountId, outreach: { channel: 'whatsapp', contentSid: CONTENT_SID, fallback: 'sms' } }),
    );
    expect(noSmsText).toMatchObject({ status: 400, body: { field: 'body/outreach/template' } });
    expect(await t.db('hunts').where({ account_id: accountId })).toHaveLength(0);
  });

  it('fails free text to a seller outside WhatsApp’s 24 hours (63016): the lead nouveau, the seller free; with fallback "sms", one SMS instead', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000109';
    const fallbackPhone = '+33612000110';
    // Our records say both sellers wrote to our WhatsApp number a while ago, in the window; Twilio
    // does not count it (it reached another number): free text is sent, and Twilio fails it.
    await t.db('inbound_messages').insert(
      [phone, fallbackPhone].map((from) => ({
        id: randomUUID(),
        provider: 'twilio',
        provider_message_id: `SM${randomUUID().replace(/-/g, '')}`,
        kind: 'reply',
        from_phone: from,
        to_address: 'whatsapp:+14155238886',
        text: 'Bonjour',
        received_at: new Date(clock.now().getTime() - 3600_000),
      })),
    );
    const outreach = {
      channel: 'whatsapp' as const,
      contentSid: CONTENT_SID,
      contentVariables: { '1': '{{marque}}' },
      template: 'Bonjour, votre {{marque}} nous intéresse.',
    };
    const alone = await huntFor(brand, { outreach });
    const secondBrand = newBrand('Twilio');
    const withFallback = await huntFor(secondBrand, { outreach: { ...outreach, fallback: 'sms' } });
    await ingest(adInput({ brand, phone }), adInput({ brand: secondBrand, phone: fallbackPhone }));

    const failed = await settled(alone, 'failed');
    expect(twilio.requests.find((r) => r.to === `whatsapp:${phone}`)!.form).toMatchObject({
      Body: expect.stringContaining('nous intéresse') as unknown,
    });
    expect(failed).toMatchObject({ last_error: 'undeliverable', delivery_error: '63016' });
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'undeliverable',
    });
    expect(await t.db('contacted_ads').where({ account_id: alone })).toHaveLength(0);

    // The fallback: the WhatsApp message failed, one SMS (its own message and SendMessage) reached the seller.
    const sms = await waitFor(
      () =>
        t
          .db('messages')
          .where({ account_id: withFallback, channel: 'sms', status: 'sent' })
          .first<Message & { fallback_of: string }>(),
      { message: 'the SMS fallback sent' },
    );
    const whatsapp = await t.db('messages').where({ id: sms.fallback_of }).first<Message>();
    expect(whatsapp).toMatchObject({ status: 'failed', channel: 'whatsapp', delivery_error: '63016' });
    expect(twilio.messagesTo(fallbackPhone)).toHaveLength(1);
    expect(twilio.messagesTo(fallbackPhone)[0]!.body).toMatch(
      /^Garage Test : Bonjour, votre .* nous intéresse\.\nRépondez STOP/,
    );
    expect(await t.db('leads').where({ id: sms.lead_id }).first()).toMatchObject({ stage: 'contacte' });
    expect(await t.db('contacted_ads').where({ account_id: withFallback }).first()).toMatchObject({
      message_id: sms.id,
      channel: 'sms',
    });
    const commands = await t.readTopic('messages.send', (e) =>
      e.some((x) => (x.event?.value as SendMessage).messageId === sms.id),
    );
    expect(
      commands.filter((x) => (x.event?.value as SendMessage).leadId === sms.lead_id).map((x) => x.event!.value),
    ).toEqual([
      expect.objectContaining({ channel: 'whatsapp' }),
      expect.objectContaining({ channel: 'sms', messageId: sms.id }),
    ]);
  });

  it('gives a seller who is not on WhatsApp (63003) the SMS fallback, once', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000111';
    twilio.script((r) =>
      r.to === `whatsapp:${phone}`
        ? { kind: 'accept', callbacks: [{ status: 'failed', errorCode: '63003' }] }
        : { kind: 'accept', receipt: 'delivered' },
    );
    const accountId = await huntFor(brand, {
      outreach: { channel: 'whatsapp', contentSid: CONTENT_SID, template: 'Bonjour !', fallback: 'sms' },
    });
    await ingest(adInput({ brand, phone }));
    const sms = await waitFor(
      () => t.db('messages').where({ account_id: accountId, channel: 'sms', status: 'sent' }).first<Message>(),
      { message: 'the SMS fallback sent' },
    );
    expect(await t.db('messages').where({ account_id: accountId, channel: 'whatsapp' }).first()).toMatchObject({
      status: 'failed',
      last_error: 'not_on_whatsapp',
    });
    expect(twilio.messagesTo(phone).map((m) => m.body)).toEqual([sms.content]);
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

describe('what Twilio says after sending', () => {
  it('opts the phone out for every account on 30004 (blocked by the seller): the message fails opted_out, another account’s pending message is cancelled', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000401';
    twilio.script((r) => (r.to === phone ? undelivered('30004') : { kind: 'accept', receipt: 'delivered' }));
    const waiting = await huntFor(brand, { contactHours: closedForNow(), radiusKm: 100 });
    const { message: failed } = await messageTo(brand, phone, 'failed');
    expect(failed.last_error).toBe('opted_out');
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'provider' });
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({ reason: 'opted_out' });
    expect((await settled(waiting, 'failed')).last_error).toBe('opted_out');
  });

  it('tries a phone that was unreachable (30003) once more in a later window, and gives it up the second time; the first attempt’s late callbacks change nothing', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000402';
    twilio.script((r) => (r.to === phone ? undelivered('30003') : { kind: 'accept', receipt: 'delivered' }));
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone }));
    // Back to pending, due a day later (the hunt has no window: the same time the next day).
    const retried = await waitFor(
      async () => {
        const m = await t
          .db('messages')
          .where({ account_id: accountId })
          .first<Message & { next_attempt_at: Date; retried_unreachable: boolean; previous_external_id: string }>();
        return m?.retried_unreachable && m.status === 'pending' ? m : undefined;
      },
      { message: 'tried again later' },
    );
    expect(retried.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThan(23 * 3600_000);
    expect(await t.db('leads').where({ id: retried.lead_id }).first()).toMatchObject({ stage: 'contacte' });
    const first = twilio.messagesTo(phone)[0]!;
    expect(retried.previous_external_id).toBe(first.sid);
    // A late, contrary callback of the first attempt: stale, nothing changes.
    await twilio.statusCallbacks(first, [{ status: 'delivered' }]);
    expect(await t.db('messages').where({ id: retried.id }).first()).toMatchObject({
      status: 'pending',
      delivery_status: null,
    });
    // The next window comes: sent again, unreachable again, given up.
    await t.db('messages').where({ id: retried.id }).update({ next_attempt_at: clock.now() });
    const failed = await settled(accountId, 'failed');
    expect(failed).toMatchObject({ last_error: 'undeliverable', delivery_error: '30003' });
    expect(twilio.messagesTo(phone)).toHaveLength(2);
    expect(await t.db('leads').where({ id: failed.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'undeliverable',
    });
  });

  it('reads back a message whose final status never came (a lost callback) and settles it as its callback would have', async () => {
    const brand = newBrand('Twilio');
    const delivered = '+33612000403';
    const unknown = '+33612000404';
    twilio.script((r) =>
      r.to === delivered
        ? { kind: 'accept', callbacks: [], status: { status: 'delivered' } }
        : r.to === unknown
          ? { kind: 'accept', callbacks: [{ status: 'sent' }], status: { status: 'undelivered', errorCode: '30005' } }
          : { kind: 'accept', receipt: 'delivered' },
    );
    const accountId = await huntFor(brand);
    await ingest(adInput({ brand, phone: delivered }), adInput({ brand, phone: unknown }));
    await waitFor(
      async () => {
        const rows = await t.db('messages').where({ account_id: accountId }).select<Message[]>('*');
        return rows.length === 2 && rows.every((m) => m.delivery_status !== null);
      },
      { message: 'both settled from Twilio' },
    );
    const [ok] = twilio.messagesTo(delivered);
    const [lost] = twilio.messagesTo(unknown);
    expect(twilio.fetches).toEqual(expect.arrayContaining([ok!.sid, lost!.sid]));
    expect(await t.db('messages').where({ external_id: ok!.sid }).first()).toMatchObject({
      status: 'sent',
      delivery_status: 'delivered',
    });
    expect(await t.db('messages').where({ recipient: unknown, account_id: accountId }).first()).toMatchObject({
      status: 'failed',
      last_error: 'not_mobile',
    });
  });

  it('gives every call a ValidityPeriod that ends with the seller’s contact window', async () => {
    const brand = newBrand('Twilio');
    const phone = '+33612000405';
    const today = isoWeekday(localTime(clock.now(), 'Europe/Paris').day);
    const days = [today, (today % 7) + 1];
    const accountId = await huntFor(brand, { contactHours: { days, from: '00:00', to: '23:59' } });
    await ingest(adInput({ brand, phone }));
    const sent = await settled(accountId, 'sent');
    const request = twilio.requests.find((r) => r.to === phone)!;
    const local = localTime(new Date(request.at), 'Europe/Paris');
    const closesIn = ((23 - local.hour) * 60 + (59 - local.minute)) * 60;
    const validity = Number(request.form.ValidityPeriod);
    expect(validity).toBeGreaterThanOrEqual(1);
    expect(validity).toBeLessThanOrEqual(Math.min(36_000, closesIn));
    expect(validity).toBeGreaterThanOrEqual(Math.min(36_000, closesIn - 120));
    expect(sent.attempts).toBe(1);
  });
});

describe('sending held when the account or the deployment is at fault', () => {
  const account = (id: string) =>
    http.api.get<{
      sending: { held: boolean; reason: string | null; since: string | null; scope: string | null };
      repliesPossible: boolean;
    }>(`/v1/accounts/${id}`);
  const pending = (accountId: string) =>
    t.db('messages').where({ account_id: accountId }).select<Array<Message & { held_by: string | null }>>('*');

  it('holds sending on 21408 (a region not enabled) with its messages pending, resumes by a probe and by the route, and sends each message once', async () => {
    let enabled = false;
    const brand = newBrand('Twilio');
    const guadeloupe = '+590690000501';
    const lyon = '+33612000502';
    twilio.script((r) =>
      r.to.startsWith('+590') && !enabled
        ? {
            kind: 'error',
            status: 400,
            code: 21408,
            message: 'Permission to send an SMS has not been enabled for the region indicated by the To number',
          }
        : { kind: 'accept', receipt: 'delivered' },
    );
    const accountId = await huntFor(brand, { contactHours: null });
    await ingest(adInput({ brand, phone: guadeloupe }));
    await waitFor(async () => (await account(accountId)).body.sending.held, { message: 'held' });
    const { body } = await account(accountId);
    expect(body.sending).toMatchObject({ held: true, reason: 'region_not_enabled', scope: 'provider' });
    expect(body.repliesPossible).toBe(true);
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_sending_held', { scope: 'provider', reason: 'region_not_enabled' }),
    ).toBe(1);
    // Another seller's message waits for the hold too, and no lead changes stage.
    await ingest(adInput({ brand, phone: lyon }));
    await waitFor(async () => (await pending(accountId)).filter((m) => m.held_by === 'provider:twilio').length === 2, {
      message: 'both held',
    });
    expect((await pending(accountId)).every((m) => m.status === 'pending')).toBe(true);
    expect(await t.db('leads').where({ account_id: accountId, stage: 'contacte' })).toHaveLength(2);
    expect(twilio.requests.filter((r) => r.to === lyon)).toHaveLength(0);
    // The region is enabled; the next probe (due in 10 minutes) goes through and sending resumes.
    enabled = true;
    aheadMs += PROBE_EVERY_MS + 1000;
    await waitFor(async () => (await pending(accountId)).every((m) => m.status === 'sent'), {
      message: 'resumed by a probe',
    });
    expect((await account(accountId)).body.sending).toEqual({ held: false, reason: null, since: null, scope: null });
    expect(
      await metricValue(serviceUrl, 'hunt_matcher_sending_held', { scope: 'provider', reason: 'region_not_enabled' }),
    ).toBe(0);

    // Held again; the dealer fixes it and resumes at once, long before the next probe.
    enabled = false;
    const other = '+590690000503';
    await ingest(adInput({ brand, phone: other }));
    await waitFor(async () => (await account(accountId)).body.sending.held, { message: 'held again' });
    enabled = true;
    const resumed = await http.api.post<{ sending: { held: boolean }; released: number }>(
      `/v1/accounts/${accountId}/sending/resume`,
    );
    expect(resumed).toMatchObject({ status: 200, body: { sending: { held: false }, released: 1 } });
    await waitFor(async () => (await pending(accountId)).every((m) => m.status === 'sent'), {
      message: 'resumed by the route',
    });
    for (const phone of [guadeloupe, lyon, other])
      expect(
        twilio.requests.filter((r) => r.to === phone && r.status === 201),
        phone,
      ).toHaveLength(1);
    expect((await http.api.post(`/v1/accounts/${randomUUID()}/sending/resume`)).status).toBe(404);
  });

  it('holds an account whose messages carriers filter (30007 on 5 of its last 50): the next waits, the route resumes it', async () => {
    const brand = newBrand('Twilio');
    const phones = Array.from({ length: 5 }, (_, i) => `+3361200060${i}`);
    twilio.script((r) => (phones.includes(r.to) ? carrierFiltered : { kind: 'accept', receipt: 'delivered' }));
    const accountId = await huntFor(brand);
    await ingest(...phones.map((phone) => adInput({ brand, phone })));
    await waitFor(async () => (await account(accountId)).body.sending.held, { message: 'held for carrier filtering' });
    expect((await account(accountId)).body.sending).toMatchObject({ reason: 'carrier_filtering', scope: 'account' });
    expect(
      await t.db('messages').where({ account_id: accountId, status: 'failed', last_error: 'undeliverable' }),
    ).toHaveLength(5);
    const next = '+33612000609';
    await ingest(adInput({ brand, phone: next }));
    await waitFor(async () => (await pending(accountId)).some((m) => m.held_by === `account:${accountId}`), {
      message: 'the next message held',
    });
    expect(twilio.requests.filter((r) => r.to === next)).toHaveLength(0);
    // Another account of the deployment is not held.
    expect((await account(randomUUID())).status).toBe(404);
    expect((await http.api.post(`/v1/accounts/${accountId}/sending/resume`)).status).toBe(200);
    await waitFor(async () => (await t.db('messages').where({ recipient: next }).first<Message>())?.status === 'sent', {
      message: 'sent once resumed',
    });
  });
});

describe('the senders French operators carry', () => {
  it('refuses an alphanumeric sender for an account whose STOP mention asks for a reply, naming the sender and SMS_OPT_OUT_MENTION; takes a short code', async () => {
    const accountId = randomUUID();
    expect((await http.api.post('/v1/accounts', { id: accountId })).status).toBe(201);
    const refused = await http.api.patch<{ field: string; message: string }>(`/v1/accounts/${accountId}`, {
      senderNumbers: ['GarageDupon'],
    });
    expect(refused).toMatchObject({ status: 400, body: { field: 'body/senderNumbers/0' } });
    expect(refused.body.message).toMatch(
      /SMS_OPT_OUT_MENTION .*cannot work from the alphanumeric sender "GarageDupon"/,
    );
    const short = await http.api.patch<{ senderNumbers: unknown; repliesPossible: boolean }>(
      `/v1/accounts/${accountId}`,
      {
        senderNumbers: ['36123'],
      },
    );
    expect(short).toMatchObject({
      status: 200,
      body: { senderNumbers: [{ number: '36123', channel: 'sms' }], repliesPossible: true },
    });
  });
});
