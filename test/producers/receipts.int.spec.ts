// Delivery receipts: the gateway calls the webhook after it accepted a message;
// the message gets delivery_status and delivered_at, and one MessageDelivered per receipt that says
// something new.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivered } from '../../src/events/types.generated.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let http: ReturnType<typeof apiClient>;
let apiUrl = '';
/** What the gateway reports for each phone, once it accepted the message. */
const outcomes = new Map<string, 'delivered' | 'undelivered'>();

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 202 }), {
    url: () => `${apiUrl}/v1/gateway/webhook/${TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET}`,
    receipts: (request) => outcomes.get(request.body.to) ?? null,
  });
  apiUrl = (await t.startService({ ROLES: 'api,relay,matcher' })).url;
  await t.startService({ ROLES: 'sender', MESSAGE_GATEWAY_URL: gateway.url, SEND_POLL_MS: '100' });
  http = apiClient(apiUrl);
});
afterAll(() => gateway.close());

interface MessageRow {
  id: string;
  status: string;
  external_id: string | null;
  delivery_status: string | null;
  delivered_at: Date | null;
  lead_id: string;
}

/** A hunt and an ad whose seller has `phone`: the message, once the gateway's receipt is recorded. */
async function sendTo(accountId: string, phone: string, outcome: 'delivered' | 'undelivered') {
  outcomes.set(phone, outcome);
  const brand = `Recu-${randomUUID().slice(0, 8)}`;
  const hunt = await http.api.post<{ id: string }>('/v1/hunts', huntInput({ accountId, brands: [brand] }));
  expect(hunt.status).toBe(201);
  await waitFor(
    async () => (await t.db('hunts').where({ id: hunt.body.id }).whereNotNull('last_scan_at').first()) !== undefined,
    { message: 'hunt backfilled' },
  );
  expect((await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] })).status).toBe(202);
  return waitFor(
    async () => {
      const m = await t.db('messages').where({ recipient: phone, account_id: accountId }).first<MessageRow>();
      return m?.delivery_status ? m : undefined;
    },
    { message: `the ${outcome} receipt of ${phone}` },
  );
}

const deliveredEvents = (until: (events: MessageDelivered[]) => boolean) =>
  t
    .readTopic('messages.delivered', (e) => until(e.map((x) => x.event?.value as MessageDelivered)))
    .then((e) => e.map((x) => ({ key: x.key, value: x.event?.value as MessageDelivered, headers: x.headers })));

describe('delivery receipts', () => {
  it('record delivered and undelivered on the message, with one MessageDelivered each; the same receipt twice is still one', async () => {
    const accountId = randomUUID();
    const receipts = (status: string, outcome: string) =>
      metricValue(apiUrl, 'hunt_matcher_gateway_receipts_total', { status, outcome });
    const before = await Promise.all([
      receipts('delivered', 'recorded'),
      receipts('undelivered', 'recorded'),
      receipts('delivered', 'unchanged'),
    ]);
    const delivered = await sendTo(accountId, '+33612000001', 'delivered');
    expect(delivered).toMatchObject({
      status: 'sent',
      delivery_status: 'delivered',
      external_id: expect.any(String) as unknown,
    });
    expect(delivered.delivered_at).toBeInstanceOf(Date);

    const undelivered = await sendTo(accountId, '+33612000002', 'undelivered');
    expect(undelivered).toMatchObject({ status: 'sent', delivery_status: 'undelivered', delivered_at: null });
    // An undelivered receipt does not release the contact: the lead stays contacte, the contacted ad stays.
    expect(await t.db('leads').where({ id: undelivered.lead_id }).first()).toMatchObject({
      stage: 'contacte',
      reason: null,
    });
    expect(await t.db('contacted_ads').where({ lead_id: undelivered.lead_id })).toHaveLength(1);

    // The gateway repeats a receipt (by our message id this time): nothing changes.
    const at = new Date().toISOString();
    const repeat = await gateway.callback({ type: 'status', messageId: delivered.id, status: 'delivered', at });
    expect(repeat).toMatchObject({ status: 200, body: { status: 'unchanged', messageId: delivered.id } });
    const byExternalId = await gateway.callback({
      type: 'status',
      externalId: undelivered.external_id!,
      status: 'undelivered',
      at,
    });
    expect(byExternalId).toMatchObject({ status: 200, body: { status: 'unchanged', messageId: undelivered.id } });
    expect((await t.db('messages').where({ id: delivered.id }).first<MessageRow>())!.delivered_at).toEqual(
      delivered.delivered_at,
    );
    expect(
      await Promise.all([
        receipts('delivered', 'recorded'),
        receipts('undelivered', 'recorded'),
        receipts('delivered', 'unchanged'),
      ]),
    ).toEqual([before[0]! + 1, before[1]! + 1, before[2]! + 1]);

    // A marker after the repeats, on the same key (so the same partition, in commit order): once it is
    // read, any event the repeats had written would have been read before it.
    const marker = await sendTo(accountId, '+33612000003', 'delivered');
    const events = await deliveredEvents((e) => e.some((v) => v.messageId === marker.id));
    const mine = events.filter((e) => e.value.accountId === accountId);
    expect(mine.map((e) => [e.value.messageId, e.value.status])).toEqual([
      [delivered.id, 'DELIVERED'],
      [undelivered.id, 'UNDELIVERED'],
      [marker.id, 'DELIVERED'],
    ]);
    const first = mine[0]!;
    expect(first.key).toBe(accountId);
    expect(first.value).toMatchObject({ leadId: delivered.lead_id, at: expect.any(Number) as unknown });
    // It follows from the SendMessage of its message, in the same chain.
    const sends = await t.readTopic('messages.send', (e) =>
      e.some((x) => (x.event?.value as { messageId: string }).messageId === delivered.id),
    );
    const command = sends.find((x) => (x.event?.value as { messageId: string }).messageId === delivered.id)!;
    expect(first.headers['causation-id']).toBe(command.headers['event-id']);
    expect(first.headers['correlation-id']).toBe(command.headers['correlation-id']);
  });
});
