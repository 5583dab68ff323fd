// Sending through Brevo and taking its SMS events, against a local stand-in of Brevo's
// transactional SMS API (testkit/fakeBrevo.ts). Brevo's clock (which decides when it sends a
// marketing SMS) is a Tuesday at 10:00 in Paris unless a test moves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivered, MessageFailed, SellerReplied } from '../../src/events/types.generated.js';
import { startFakeBrevo } from '../../testkit/fakeBrevo.js';
import { adInput, newBrand } from '../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { huntForBrand, messageToSeller } from '../../testkit/hunts.js';
import { settledMessage, type StoredMessage } from '../../testkit/rows.js';

const PUBLIC = 'https://hunt-matcher.example.test';
const API_KEY = 'xkeysib-test-0123456789abcdef';
const OLD_SECRET = 'brevo-webhook-secret-old-0001';
const SECRET = 'brevo-webhook-secret-new-0002';

const t = useTestEnv();
let brevo: Awaited<ReturnType<typeof startFakeBrevo>>;
let http: ReturnType<typeof apiClient>;
let serviceUrl = '';
let brevoNow = new Date('2026-12-01T09:00:00Z');

beforeAll(async () => {
  brevo = await startFakeBrevo({
    apiKey: API_KEY,
    publicBaseUrl: PUBLIC,
    ingress: () => serviceUrl,
    now: () => brevoNow,
    // Brevo's console webhook, batched, with our secret as its Basic password.
    batchedWebhook: { url: () => serviceUrl.replace('://', `://brevo:${SECRET}@`) + '/v1/providers/brevo/events' },
  });
  const service = await t.startService({
    ROLES: 'api,relay,matcher,sender',
    MESSAGE_PROVIDERS: 'sms:brevo',
    BREVO_API_KEY: API_KEY,
    BREVO_SENDER: 'GarageTest',
    BREVO_API_URL: brevo.url,
    BREVO_WEBHOOK_SECRET: `${OLD_SECRET},${SECRET}`,
    PUBLIC_BASE_URL: PUBLIC,
    MESSAGE_GATEWAY_TIMEOUT_MS: '1000',
    SEND_RETRY_BASE_MS: '200',
    SEND_POLL_MS: '100',
    RECEIPT_RECONCILE_AFTER_MS: '2000',
    SENDING_PROBE_EVERY_MS: '600000',
  });
  serviceUrl = service.url;
  http = apiClient(serviceUrl);
});
afterAll(() => brevo.close());

const huntFor = async (brand: string) => (await huntForBrand(http, t.db, brand)).accountId;
type Message = StoredMessage;
const settled = (accountId: string, status: 'sent' | 'failed') => settledMessage(t.db, accountId, status);
const messageTo = (brand: string, phone: string, status: 'sent' | 'failed') =>
  messageToSeller(http, t.db, { brand, phone }, status);
const events = (query: string, body: unknown) =>
  fetch(`${serviceUrl}/v1/providers/brevo/events${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('sending through Brevo', () => {
  it('sends a marketing SMS with its sender, tag and webUrl, and takes its delivered event as MessageDelivered', async () => {
    const brand = newBrand('Brevo');
    const phone = '+33612000301';
    const { message: sent } = await messageTo(brand, phone, 'sent');
    const [sms] = brevo.smsTo('33612000301');
    expect(sms).toMatchObject({
      sender: 'GarageTest',
      type: 'marketing',
      tag: sent.id,
      content: sent.content,
      unicodeEnabled: false,
    });
    expect(sms!.webUrl).toBe(`${PUBLIC}/v1/providers/brevo/events?messageId=${sent.id}&secret=${SECRET}`);
    // Brevo's own opt-out mention: it puts its short code in place of [STOP_CODE], as its reference writes it.
    expect(sent.content).toMatch(/STOP au \[STOP_CODE\]$/);
    expect(sms!.delivered).toMatch(new RegExp(`STOP au ${brevo.stopCode}$`));
    expect(sms!.shownSender).toBe('GarageTest');
    expect(sent).toMatchObject({ external_id: String(sms!.messageId), provider: 'brevo' });
    await waitFor(
      async () => (await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status === 'delivered',
      { message: 'delivered' },
    );
    const read = await t.readTopic('messages.delivered', (e) =>
      e.some((x) => (x.event?.value as MessageDelivered).messageId === sent.id),
    );
    expect(read.find((x) => (x.event?.value as MessageDelivered).messageId === sent.id)!.event!.value).toMatchObject({
      status: 'DELIVERED',
      provider: 'brevo',
    });
    expect(
      brevo.posted.filter((p) => (p.body as { messageId: number }).messageId === sms!.messageId).map((p) => p.status),
    ).toEqual([200, 200]);
  });

  it('fails a message Brevo hard-bounces after sending: not_mobile, the seller free, MessageFailed with the event', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r) =>
      r.recipient === '33612000302'
        ? { kind: 'accept', events: ['hard_bounce'] }
        : { kind: 'accept', events: ['delivered'] },
    );
    const { message: m } = await messageTo(brand, '+33612000302', 'failed');
    expect(m).toMatchObject({
      last_error: 'not_mobile',
      delivery_status: 'undelivered',
      delivery_error: 'Number unreachable',
    });
    expect(await t.db('leads').where({ id: m.lead_id }).first()).toMatchObject({
      stage: 'nouveau',
      reason: 'not_mobile',
    });
    const failed = await t.readTopic('messages.failed', (e) =>
      e.some((x) => (x.event?.value as MessageFailed).messageId === m.id),
    );
    expect(failed.find((x) => (x.event?.value as MessageFailed).messageId === m.id)!.event!.value).toMatchObject({
      permanent: true,
      errorCode: 'hard_bounce',
      provider: 'brevo',
    });
  });

  it('waits for x-sib-ratelimit-reset on a 429, and gives up on an invalid recipient as not_mobile', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r, attempt) =>
      r.recipient === '33612000303' && attempt === 1
        ? {
            kind: 'error',
            status: 429,
            code: 'too_many_requests',
            message: 'Rate limit exceeded',
            headers: { 'x-sib-ratelimit-limit': '150', 'x-sib-ratelimit-remaining': '0', 'x-sib-ratelimit-reset': '2' },
          }
        : r.recipient === '33612000304'
          ? { kind: 'error', status: 400, code: 'invalid_parameter', message: 'Invalid recipient number' }
          : { kind: 'accept' },
    );
    const { message: sent } = await messageTo(brand, '+33612000303', 'sent');
    expect(sent.attempts).toBe(2);
    expect(
      brevo.requests
        .filter((r) => (r.body as { recipient?: string } | null)?.recipient === '33612000303')
        .map((r) => r.status),
    ).toEqual([429, 201]);
    const secondBrand = newBrand('Brevo');
    const { message: failed } = await messageTo(secondBrand, '+33612000304', 'failed');
    expect(failed.last_error).toBe('not_mobile');
  });

  it('looks a stalled SMS up by its tag instead of sending it twice', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r, attempt) =>
      r.recipient === '33612000305' && attempt === 1 ? { kind: 'stall', ms: 3000 } : { kind: 'accept' },
    );
    const { message: sent } = await messageTo(brand, '+33612000305', 'sent');
    expect(brevo.smsTo('33612000305')).toHaveLength(1);
    // The events report's tags filter, a serialized array as the report documents it.
    expect(brevo.lookups.some((l) => l.tags === JSON.stringify([sent.id]))).toBe(true);
    expect(sent.external_id).toBe(String(brevo.smsTo('33612000305')[0]!.messageId));
  });
});

describe("a seller's reply through Brevo", () => {
  it('joins the SMS it answers (Brevo names it) and publishes SellerReplied', async () => {
    const brand = newBrand('Brevo');
    brevo.script(() => ({ kind: 'accept', events: [] }));
    const { message: sent } = await messageTo(brand, '+33612000306', 'sent');
    const [sms] = brevo.smsTo('33612000306');
    const answer = await brevo.event(sms!, 'replied', { reply: 'Oui, appelez-moi après 18h' });
    expect(answer.status).toBe(200);
    const read = await t.readTopic('messages.replied', (e) =>
      e.some((x) => (x.event?.value as SellerReplied).messageId === sent.id),
    );
    expect(read.find((x) => (x.event?.value as SellerReplied).messageId === sent.id)!.event!.value).toMatchObject({
      leadId: sent.lead_id,
      from: '+33612000306',
      text: 'Oui, appelez-moi après 18h',
      provider: 'brevo',
    });
    expect(await t.db('leads').where({ id: sent.lead_id }).first()).toMatchObject({
      stage: 'contacte',
      replied_at: expect.any(Date) as unknown,
    });
    // The same event posted again is one reply.
    await brevo.event(sms!, 'replied', {
      reply: 'Oui, appelez-moi après 18h',
      date: (brevo.posted.at(-1)!.body as { date: string }).date,
    });
    expect(await t.db('inbound_messages').where({ lead_id: sent.lead_id })).toHaveLength(1);
    brevo.script(() => ({ kind: 'accept', events: ['delivered'] }));
  });
});

describe("Brevo's events", () => {
  it('takes the old and the new secret while it is rotated, and refuses any other with 401', async () => {
    const body = { msg_status: 'sent', messageId: 1, to: '33612000399' };
    expect((await events(`?secret=${OLD_SECRET}`, body)).status).toBe(200);
    expect((await events(`?secret=${SECRET}`, body)).status).toBe(200);
    expect((await events('?secret=nope', body)).status).toBe(401);
    expect((await events('', body)).status).toBe(401);
    const bearer = await fetch(`${serviceUrl}/v1/providers/brevo/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify(body),
    });
    expect(bearer.status).toBe(200);
  });

  it('opts a phone out on an unsubscription or a reply that starts with STOP, and answers 400 naming the field of a single bad event', async () => {
    const phone = '+33612000398';
    const unsubscribe = await events(`?secret=${SECRET}`, {
      msg_status: 'unsubscribe',
      messageId: 2,
      to: '33612000398',
    });
    expect(await unsubscribe.json()).toEqual({ events: [{ status: 'opted_out' }] });
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound' });
    const stopMerci = await events(`?secret=${SECRET}`, {
      msg_status: 'replied',
      messageId: 5,
      to: '33612000397',
      reply: 'Stop merci',
    });
    expect(await stopMerci.json()).toEqual({ events: [{ status: 'opted_out' }] });
    expect(await t.db('inbound_messages').where({ from_phone: '+33612000397' }).first()).toMatchObject({
      kind: 'opt_out',
      text: 'Stop merci',
    });
    const bad = await events(`?secret=${SECRET}`, { msg_status: 'replied', messageId: 4, to: 'nope', reply: 'STOP' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'body/to' });
  });

  it('takes a batch of 500 events with Basic credentials, skipping and counting the one it cannot read', async () => {
    const brand = newBrand('Brevo');
    brevo.script(() => ({ kind: 'accept', events: ['delivered'] }));
    brevo.batching(true);
    try {
      const { message: sent } = await messageTo(brand, '+33612000310', 'sent');
      const [sms] = brevo.smsTo('33612000310');
      // Brevo's batch: this SMS's events, 497 of SMS this service does not know, and one it cannot read.
      const batch: unknown[] = [
        { msg_status: 'sent', messageId: sms!.messageId, to: sms!.recipient, tag: sent.id },
        { msg_status: 'delivered', messageId: sms!.messageId, to: sms!.recipient, tag: sent.id },
        ...Array.from({ length: 497 }, (_, i) => ({ msg_status: 'sent', messageId: 9_000_000 + i, to: '33612999999' })),
        { msg_status: 'replied', messageId: 42, to: 'not-a-phone', reply: 'Oui' },
      ];
      expect(batch).toHaveLength(500);
      const before = await metricValue(serviceUrl, 'hunt_matcher_provider_callbacks_total', {
        provider: 'brevo',
        kind: 'event',
        outcome: 'unreadable',
      });
      const answer = await brevo.postBatch(batch);
      expect(answer.status).toBe(200);
      const statuses = (JSON.parse(answer.body) as { events: Array<{ status: string; field?: string }> }).events;
      expect(statuses).toHaveLength(500);
      expect(statuses[1]).toEqual({ status: 'recorded' });
      expect(statuses[499]).toMatchObject({ status: 'unreadable', field: 'body/499/to' });
      expect(statuses.filter((e) => e.status === 'unreadable')).toHaveLength(1);
      expect(
        await metricValue(serviceUrl, 'hunt_matcher_provider_callbacks_total', {
          provider: 'brevo',
          kind: 'event',
          outcome: 'unreadable',
        }),
      ).toBe(before + 1);
      expect((await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status).toBe('delivered');
      // What Brevo gathered itself goes the same way; a wrong password is refused.
      expect((await brevo.flushBatches()).every((a) => a.status === 200)).toBe(true);
      const wrong = await fetch(`${serviceUrl}/v1/providers/brevo/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('brevo:nope').toString('base64')}`,
        },
        body: JSON.stringify([{ msg_status: 'sent', messageId: 1 }]),
      });
      expect(wrong.status).toBe(401);
    } finally {
      brevo.batching(false);
    }
  });
});

describe('Brevo after sending', () => {
  it('holds a marketing SMS outside Brevo’s hours, and settles it once Brevo sends it', async () => {
    const brand = newBrand('Brevo');
    brevo.script(() => ({ kind: 'accept', events: ['delivered'] }));
    // Tuesday 23:00 in Paris: Brevo takes the SMS and keeps it until 08:00.
    brevoNow = new Date('2026-12-01T22:00:00Z');
    try {
      const { message: sent } = await messageTo(brand, '+33612000320', 'sent');
      expect(brevo.smsTo('33612000320')[0]!.held).toBe(true);
      expect(await brevo.release()).toBe(0);
      brevoNow = new Date('2026-12-02T07:30:00Z');
      expect(await brevo.release()).toBe(1);
      await waitFor(
        async () => (await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status === 'delivered',
        { message: 'delivered once Brevo sent it' },
      );
    } finally {
      brevoNow = new Date('2026-12-01T09:00:00Z');
    }
  });

  it('reads back an SMS whose events never came, from the events report', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r) =>
      r.recipient === '33612000330' ? { kind: 'accept', events: ['delivered'], lose: true } : { kind: 'accept' },
    );
    const { message: sent } = await messageTo(brand, '+33612000330', 'sent');
    await waitFor(
      async () => (await t.db('messages').where({ id: sent.id }).first<Message>())!.delivery_status === 'delivered',
      { message: 'delivered, read back from the report' },
    );
    expect(brevo.posted.some((p) => (p.body as { tag?: string }).tag === sent.id)).toBe(false);
  });

  it('holds sending when Brevo wants credits (402), keeps the message pending, and resumes it by the route', async () => {
    const brand = newBrand('Brevo');
    let credits = false;
    brevo.script((r) =>
      r.recipient === '33612000340' && !credits
        ? { kind: 'error', status: 402, code: 'not_enough_credits', message: 'Not enough credits' }
        : { kind: 'accept', events: ['delivered'] },
    );
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33612000340' })] });
    const account = () =>
      http.api.get<{ sending: { held: boolean; reason: string | null }; repliesPossible: boolean }>(
        `/v1/accounts/${accountId}`,
      );
    await waitFor(async () => (await account()).body.sending.held, { message: 'held' });
    expect((await account()).body).toMatchObject({
      sending: { held: true, reason: 'no_credits', scope: 'provider' },
      // An alphanumeric sender: nobody can answer it (STOP goes to Brevo's short code).
      repliesPossible: false,
    });
    expect(await t.db('messages').where({ account_id: accountId }).first()).toMatchObject({
      status: 'pending',
      held_by: 'provider:brevo',
    });
    credits = true;
    expect((await http.api.post(`/v1/accounts/${accountId}/sending/resume`)).status).toBe(200);
    await settled(accountId, 'sent');
    expect(
      brevo.requests
        .filter((r) => (r.body as { recipient?: string } | null)?.recipient === '33612000340')
        .map((r) => r.status),
    ).toEqual([402, 201]);
  });
});
