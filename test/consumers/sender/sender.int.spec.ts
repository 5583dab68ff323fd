import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageFailed, MessageSent, SendMessage } from '../../../src/events/types.generated.js';
import {
  startFakeGateway,
  startServiceWithSender,
  type Answer,
  type GatewayRequest,
} from '../../../testkit/fakeGateway.js';
import type { AdInput } from '../../../src/producers/ads/adInput.js';
import { adInput, huntInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';

// Each test hunts its own make; the gateway answers by the make named in the message's content.
const scripts = new Map<string, (request: GatewayRequest, attempt: number) => Answer>();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
const t = useTestEnv();
let http: ReturnType<typeof apiClient>;
const RETRY_BASE_MS = 3000;

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, (request, attempt) => {
    for (const [brand, script] of scripts) if (request.body.content.includes(brand)) return script(request, attempt);
    return { status: 202 };
  });
  http = apiClient(
    await startServiceWithSender(t, gateway, {
      SEND_RETRY_BASE_MS: String(RETRY_BASE_MS),
      SEND_RATE_PER_MINUTE: '5',
    }),
  );
});
afterAll(async () => {
  await gateway.close();
});

const requestsFor = (brand: string) => gateway.requests.filter((r) => r.body.content.includes(brand));

/** A hunt of `accountId` for `brand`, and ads of that brand: returns the account's messages once they exist. */
async function matchAds(accountId: string, brand: string, count = 1, overrides: Partial<AdInput> = {}) {
  expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [brand] }))).status).toBe(201);
  await waitFor(
    async () => (await t.db('hunts').where({ account_id: accountId }).whereNotNull('last_scan_at')).length === 1,
    { message: 'hunt backfilled' },
  );
  const ads = Array.from({ length: count }, () => adInput({ brand, ...overrides }));
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
  return waitFor(async () => {
    const messages = await t.db('messages').where({ account_id: accountId }).select<MessageRow[]>('*');
    return messages.length === count ? messages : undefined;
  });
}

interface MessageRow {
  id: string;
  lead_id: string;
  ad_id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  last_error: string | null;
  next_attempt_at: Date;
}

const messageOf = (id: string) => t.db('messages').where({ id }).first<MessageRow>();
const leadOf = (id: string) =>
  t.db('leads').where({ id }).first<{ stage: string; reason: string | null; reason_detail: string | null }>();

describe('the sender', () => {
  it('sends a matched ad’s message once: sent, lead contacte, MessageSent, one gateway call', async () => {
    const account = randomUUID();
    const brand = newBrand();
    const [message] = await matchAds(account, brand, 1, { phone: '06 12 34 56 78' });
    const sent = await waitFor(async () => {
      const m = await messageOf(message!.id);
      return m?.status === 'sent' ? m : undefined;
    });
    expect(sent.attempts).toBe(1);
    expect(sent.external_id).toEqual(expect.any(String));
    expect(await leadOf(message!.lead_id)).toMatchObject({ stage: 'contacte', reason: null });

    const events = await t.readTopic('messages.sent', (e) =>
      e.some((x) => (x.event?.value as MessageSent).messageId === message!.id),
    );
    const event = events.find((x) => (x.event?.value as MessageSent).messageId === message!.id)!;
    expect(event.key).toBe(account);
    expect(event.event!.value).toMatchObject({
      accountId: account,
      leadId: message!.lead_id,
      adId: message!.ad_id,
      externalId: sent.external_id,
      attempts: 1,
    });
    // MessageSent continues the chain: it follows from the SendMessage, under the AdScraped's correlation id.
    const commands = await t.readTopic('messages.send', (e) =>
      e.some((x) => (x.event?.value as SendMessage).messageId === message!.id),
    );
    const command = commands.find((x) => (x.event?.value as SendMessage).messageId === message!.id)!;
    expect(event.headers['causation-id']).toBe(command.headers['event-id']);
    expect(event.headers['correlation-id']).toBe(command.headers['correlation-id']);
    expect(event.headers['correlation-id']).not.toBe(event.headers['event-id']);

    const calls = requestsFor(brand);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      idempotencyKey: message!.id,
      authorization: `Bearer ${TOKENS.MESSAGE_GATEWAY_TOKEN}`,
    });
    expect(calls[0]!.body).toMatchObject({ messageId: message!.id, channel: 'sms', to: '+33612345678' });
  });

  it('retries a 503 with backoff without holding up another account’s message on the same partition', async () => {
    const slow = randomUUID();
    const slowBrand = newBrand();
    scripts.set(slowBrand, (_, attempt) =>
      attempt <= 3 ? { status: 503, body: { error: 'try later' } } : { status: 200 },
    );
    const [slowMessage] = await matchAds(slow, slowBrand);
    await waitFor(() => requestsFor(slowBrand).length >= 1, { message: 'first attempt' });

    // Another account whose messages go to the same partition of messages.send.
    const fast = sharingPartitionWith(slow);
    const fastBrand = newBrand();
    const [fastMessage] = await matchAds(fast, fastBrand);
    await waitFor(async () => (await messageOf(fastMessage!.id))?.status === 'sent', {
      message: 'the other account’s message sent',
    });
    expect((await messageOf(slowMessage!.id))!.status).toBe('pending');

    const sent = await waitFor(
      async () => {
        const m = await messageOf(slowMessage!.id);
        return m?.status === 'sent' ? m : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(sent.attempts).toBe(4);
    const attempts = requestsFor(slowBrand);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => a.idempotencyKey))).toEqual(new Set([slowMessage!.id]));
    // Exponential backoff with jitter: each wait lies in [base/2, base * 2^(n-1)] (plus polling slack).
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(RETRY_BASE_MS / 2 - 50);
      expect(gap).toBeLessThanOrEqual(RETRY_BASE_MS * 2 ** i + 2000);
    });
    expect(gateway.delivered()).toBeGreaterThanOrEqual(2);
  });

  it('gives up on a 422: message failed, lead back to nouveau with the reason, contacted ad released, MessageFailed', async () => {
    const account = randomUUID();
    const brand = newBrand();
    scripts.set(brand, () => ({ status: 422, body: { error: 'invalid phone number' } }));
    const [message] = await matchAds(account, brand);
    const failed = await waitFor(async () => {
      const m = await messageOf(message!.id);
      return m?.status === 'failed' ? m : undefined;
    });
    expect(failed.last_error).toContain('invalid phone number');
    expect(await leadOf(message!.lead_id)).toMatchObject({ stage: 'nouveau', reason: 'message_failed' });
    expect(await t.db('contacted_ads').where({ account_id: account, ad_id: message!.ad_id })).toHaveLength(0);
    const events = await t.readTopic('messages.failed', (e) =>
      e.some((x) => (x.event?.value as MessageFailed).messageId === message!.id),
    );
    expect(events.find((x) => (x.event?.value as MessageFailed).messageId === message!.id)!.event!.value).toMatchObject(
      {
        accountId: account,
        leadId: message!.lead_id,
        permanent: true,
        attempts: 1,
      },
    );
    expect(requestsFor(brand)).toHaveLength(1);
  });

  it('does not call the gateway again for a SendMessage redelivered after the message was sent', async () => {
    const account = randomUUID();
    const brand = newBrand();
    const [message] = await matchAds(account, brand);
    await waitFor(async () => (await messageOf(message!.id))?.status === 'sent');
    const events = await t.readTopic('messages.send', (e) =>
      e.some((x) => (x.event?.value as SendMessage).messageId === message!.id),
    );
    const original = events.find((x) => (x.event?.value as SendMessage).messageId === message!.id)!;
    const producer = t.kafka.producer();
    await producer.connect();
    // The very same record (a relay republishing after a crash), and the same command under a new event id.
    await producer.send({
      topic: t.topics.name('messages.send'),
      messages: [
        { key: original.raw.key, value: original.raw.value, headers: original.raw.headers },
        {
          key: original.raw.key,
          value: original.raw.value,
          headers: { ...original.raw.headers, 'event-id': randomUUID() },
        },
      ],
    });
    await producer.disconnect();
    await t.waitForConsumerGroup('sender', 'messages.send');
    expect(requestsFor(brand)).toHaveLength(1);
    expect((await messageOf(message!.id))!.attempts).toBe(1);
  });

  it('holds an account to its send rate, deferring the rest by a minute', async () => {
    const account = randomUUID();
    const brand = newBrand();
    const messages = await matchAds(account, brand, 7);
    await waitFor(async () => (await t.db('messages').where({ account_id: account, status: 'sent' })).length === 5, {
      message: '5 sent',
    });
    await t.waitForConsumerGroup('sender', 'messages.send');
    const deferred = await t
      .db('messages')
      .whereIn(
        'id',
        messages.map((m) => m.id),
      )
      .where({ status: 'pending' })
      .select<MessageRow[]>('*');
    expect(deferred).toHaveLength(2);
    for (const m of deferred) expect(m.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(requestsFor(brand)).toHaveLength(5);
  });
});

/** An account id whose key lands on the same partition of a 3-partition topic as `accountId`'s. */
function sharingPartitionWith(accountId: string): string {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const partitionOf = (key: string) =>
    partitioner({ topic: 'messages.send', partitionMetadata, message: { key, value: null } });
  for (;;) {
    const candidate = randomUUID();
    if (candidate !== accountId && partitionOf(candidate) === partitionOf(accountId)) return candidate;
  }
}
