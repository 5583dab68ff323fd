// Sending through Brevo and taking its SMS events, against a local stand-in of Brevo's
// transactional SMS API (testkit/fakeBrevo.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivered, SellerReplied } from '../../src/events/types.generated.js';
import { startFakeBrevo } from '../../testkit/fakeBrevo.js';
import { adInput, huntInput, newBrand } from '../support/fixtures.js';
import { apiClient } from '../support/http.js';
import { useTestEnv } from '../support/testEnv.js';
import { waitFor } from '../support/waitFor.js';

const PUBLIC = 'https://hunt-matcher.example.test';
const API_KEY = 'xkeysib-test-0123456789abcdef';
const OLD_SECRET = 'brevo-webhook-secret-old-0001';
const SECRET = 'brevo-webhook-secret-new-0002';

const t = useTestEnv();
let brevo: Awaited<ReturnType<typeof startFakeBrevo>>;
let http: ReturnType<typeof apiClient>;
let serviceUrl = '';

beforeAll(async () => {
  brevo = await startFakeBrevo({ apiKey: API_KEY, publicBaseUrl: PUBLIC, ingress: () => serviceUrl });
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
  });
  serviceUrl = service.url;
  http = apiClient(serviceUrl);
});
afterAll(() => brevo.close());

async function huntFor(brand: string) {
  const accountId = randomUUID();
  const response = await http.api.post<{ id: string }>('/v1/hunts', huntInput({ accountId, brands: [brand] }));
  expect(response.status).toBe(201);
  await waitFor(
    async () =>
      (await t.db('hunts').where({ id: response.body.id }).whereNotNull('last_scan_at').first()) !== undefined,
    { message: 'hunt backfilled' },
  );
  return accountId;
}
interface Message {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  last_error: string | null;
  lead_id: string;
  provider: string | null;
  delivery_status: string | null;
  delivery_error: string | null;
  content: string;
}
const settled = (accountId: string, status: 'sent' | 'failed') =>
  waitFor(
    async () => {
      const m = await t.db('messages').where({ account_id: accountId }).first<Message>();
      return m?.status === status ? m : undefined;
    },
    { message: `message ${status}` },
  );
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
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] });
    const sent = await settled(accountId, 'sent');
    const [sms] = brevo.smsTo('33612000301');
    expect(sms).toMatchObject({
      sender: 'GarageTest',
      type: 'marketing',
      tag: sent.id,
      content: sent.content,
      unicodeEnabled: false,
    });
    expect(sms!.webUrl).toBe(`${PUBLIC}/v1/providers/brevo/events?messageId=${sent.id}&secret=${SECRET}`);
    // Brevo's own opt-out mention: it puts its short code in place of [STOP CODE].
    expect(sent.content).toMatch(/STOP au \[STOP CODE\]$/);
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

  it('records a hard bounce as undelivered, with its reason', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r) =>
      r.recipient === '33612000302'
        ? { kind: 'accept', events: ['hard_bounce'] }
        : { kind: 'accept', events: ['delivered'] },
    );
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33612000302' })] });
    const sent = await settled(accountId, 'sent');
    const m = await waitFor(async () => {
      const row = await t.db('messages').where({ id: sent.id }).first<Message>();
      return row?.delivery_status === 'undelivered' ? row : undefined;
    });
    expect(m.delivery_error).toBe('Number unreachable');
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
    const first = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33612000303' })] });
    const sent = await settled(first, 'sent');
    expect(sent.attempts).toBe(2);
    expect(
      brevo.requests
        .filter((r) => (r.body as { recipient?: string } | null)?.recipient === '33612000303')
        .map((r) => r.status),
    ).toEqual([429, 201]);
    const secondBrand = newBrand('Brevo');
    const second = await huntFor(secondBrand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand: secondBrand, phone: '+33612000304' })] });
    const failed = await settled(second, 'failed');
    expect(failed.last_error).toBe('not_mobile');
  });

  it('looks a stalled SMS up by its tag instead of sending it twice', async () => {
    const brand = newBrand('Brevo');
    brevo.script((r, attempt) =>
      r.recipient === '33612000305' && attempt === 1 ? { kind: 'stall', ms: 3000 } : { kind: 'accept' },
    );
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33612000305' })] });
    const sent = await settled(accountId, 'sent');
    expect(brevo.smsTo('33612000305')).toHaveLength(1);
    expect(brevo.lookups.some((l) => l.tags === sent.id)).toBe(true);
    expect(sent.external_id).toBe(String(brevo.smsTo('33612000305')[0]!.messageId));
  });
});

describe("a seller's reply through Brevo", () => {
  it('joins the SMS it answers (Brevo names it) and publishes SellerReplied', async () => {
    const brand = newBrand('Brevo');
    brevo.script(() => ({ kind: 'accept', events: [] }));
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33612000306' })] });
    const sent = await settled(accountId, 'sent');
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

  it('opts a phone out on an unsubscription or a STOP reply, and answers 400 naming the field of a bad event', async () => {
    const phone = '+33612000398';
    const unsubscribe = await events(`?secret=${SECRET}`, {
      msg_status: 'unsubscribe',
      messageId: 2,
      to: '33612000398',
    });
    expect(await unsubscribe.json()).toEqual({ events: [{ status: 'opted_out' }] });
    expect(await t.db('optouts').where({ phone }).first()).toMatchObject({ source: 'inbound' });
    const bad = await events(`?secret=${SECRET}`, [
      { msg_status: 'delivered', messageId: 3 },
      { msg_status: 'replied', messageId: 4, to: 'nope', reply: 'STOP' },
    ]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'body/1/to' });
  });
});
