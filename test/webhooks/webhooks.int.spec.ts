// Webhooks, against one service with every role they meet. The subscriptions: written with the API
// token or the account's key, the secret answered once, and no URL that could reach inside (public
// addresses only, the allowed hosts excepted; https only is the address policy's unit test, since this
// service takes http for its local receivers), checked before anything is written. The deliveries, from
// the topics to real local receivers, each request verified with the `standardwebhooks` package: once,
// retried on the schedule (the service's clock is the test's), in order per lead, signed with both
// secrets during a rotation, never slowed by another endpoint, and an endpoint dead for the whole
// window disabled.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingEvent } from '../../src/events/envelope.js';
import { projectRoot } from '../../src/platform/projectRoot.js';
import type { Service } from '../../src/service.js';
import { EXIT_WITH_PARENT } from '../../testkit/childService.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { sampleEvents } from '../../testkit/eventSamples.js';
import { adInput, huntInput, ingestSilently, newBrand } from '../../testkit/fixtures.js';
import { apiClient, metricValue } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhookReceiver.js';

const SCHEDULE = [20_000, 40_000];
/** The service's clock: the real time plus what the test advances it by. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

const t = useTestEnv();
const http = apiClient(() => t.url);
let service: Service;
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
const receivers: WebhookReceiver[] = [];
let example: ChildProcess | undefined;

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 202 }));
  service = await t.startService(
    {
      ROLES: 'api,relay,matcher,sender,webhooks',
      MESSAGE_GATEWAY_URL: gateway.url,
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: SCHEDULE.map((ms) => `${ms / 1000}s`).join(','),
      WEBHOOK_POLL_MS: '100',
      // The hanging endpoint hangs for the whole test, however slow the machine; receivers that close
      // end its attempts.
      WEBHOOK_TIMEOUT_MS: '60000',
      OUTBOX_POLL_MS: '200',
    },
    { clock },
  );
  t.url = service.url;
});
afterAll(async () => {
  if (example && example.exitCode === null) example.kill('SIGKILL');
  await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
  await gateway.close();
});

async function receiver(script?: Parameters<typeof startWebhookReceiver>[0]) {
  const r = await startWebhookReceiver(script);
  receivers.push(r);
  return r;
}

async function account() {
  const id = randomUUID();
  expect((await http.api.post('/v1/accounts', { id, name: 'Garage' })).status).toBe(201);
  return id;
}

/** Subscribes the receiver, which then verifies with the secret it was given. */
async function subscribe(accountId: string, r: { url: string; secrets: string[] }, events?: string[]) {
  const created = await http.api.post<{ id: string; secret: string }>(`/v1/accounts/${accountId}/webhooks`, {
    url: r.url,
    ...(events ? { events } : {}),
  });
  expect(created.status).toBe(201);
  r.secrets = [created.body.secret];
  return {
    id: created.body.id,
    secret: created.body.secret,
    path: `/v1/accounts/${accountId}/webhooks/${created.body.id}`,
  };
}

const publish = (events: OutgoingEvent[]) => t.db.transaction((trx) => service.outbox.enqueue(trx, events));

function leadCreated(accountId: string, leadId = randomUUID(), eventId?: string): OutgoingEvent {
  return {
    eventType: 'LeadCreated',
    key: accountId,
    value: { ...sampleEvents.LeadCreated, accountId, leadId, messageId: randomUUID() },
    ...(eventId ? { eventId } : {}),
  };
}

function messageSent(accountId: string, leadId = randomUUID()): OutgoingEvent {
  return {
    eventType: 'MessageSent',
    key: accountId,
    value: { ...sampleEvents.MessageSent, accountId, leadId, messageId: randomUUID() },
  };
}

interface DeliveryJson {
  id: string;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  attemptLog: Array<{ at: string; statusCode: number | null; error: string | null }>;
}

const deliveries = async (path: string) =>
  (await http.api.get<{ deliveries: DeliveryJson[] }>(`${path}/deliveries`)).body.deliveries;

/** Waits until the endpoint's only delivery matches `check`, and answers it. */
const deliveryWhen = (path: string, check: (d: DeliveryJson) => boolean, message: string) =>
  waitFor(
    async () => {
      const [d] = await deliveries(path);
      return d && check(d) ? d : undefined;
    },
    { message },
  );

interface EndpointJson {
  id: string;
  accountId: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  secret?: string;
  previousSecretExpiresAt: string | null;
}

const PUBLIC_URL = 'https://93.184.215.14/hooks/crm';

describe('webhook subscriptions', () => {
  it('answer the signing secret once, and never again', async () => {
    const accountId = await account();
    const created = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, {
      url: PUBLIC_URL,
      events: ['lead.created', 'message.sent'],
      description: 'CRM',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ accountId, url: PUBLIC_URL, events: ['lead.created', 'message.sent'] });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await http.api.get<EndpointJson>(`/v1/accounts/${accountId}/webhooks/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await http.api.get(`/v1/accounts/${accountId}/webhooks`)).body)).not.toContain('whsec_');
    // An account is created on first use, as a hunt creates its own.
    const fresh = randomUUID();
    expect((await http.api.post(`/v1/accounts/${fresh}/webhooks`, { url: PUBLIC_URL })).status).toBe(201);
    expect((await http.api.get(`/v1/accounts/${fresh}`)).status).toBe(200);
    // Left out, the events are all five.
    const all = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL });
    expect(all.body.events).toEqual([
      'lead.created',
      'message.sent',
      'message.failed',
      'message.delivered',
      'seller.replied',
    ]);
  });

  it.each([
    ['a private address', 'https://10.1.2.3/hook'],
    ['the link-local metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['an IPv4-mapped loopback', 'https://[::ffff:7f00:1]/hook'],
    ['a name resolving to loopback', 'https://localhost/hook'],
    ['a URL with credentials', 'https://user:secret@93.184.215.14/hook'],
  ])('refuse %s with a 400 naming url, and write nothing', async (_what, url) => {
    const accountId = await account();
    const refused = await http.api.post<{ field: string; message: string }>(`/v1/accounts/${accountId}/webhooks`, {
      url,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('body/url');
    expect(await t.db('webhook_endpoints').where({ account_id: accountId }).pluck('id')).toEqual([]);
  });

  it('accept a private address whose host WEBHOOKS_ALLOWED_HOSTS lists, and refuse a change of URL to one it does not', async () => {
    const accountId = await account();
    const created = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, {
      url: 'https://127.0.0.1:8443/hook',
    });
    expect(created.status).toBe(201);
    const path = `/v1/accounts/${accountId}/webhooks/${created.body.id}`;
    const refused = await http.api.patch<{ field: string }>(path, { url: 'https://192.168.1.10/hook' });
    expect(refused).toMatchObject({ status: 400, body: { field: 'body/url' } });
    expect((await http.api.get<EndpointJson>(path)).body.url).toBe('https://127.0.0.1:8443/hook');
  });

  it("are reached with the account's key, and another account's answer 404 as a missing one does", async () => {
    const accountId = await account();
    const other = await account();
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${accountId}/api-keys`)).body.key;
    const asKey = apiClient(t.url);
    const mine = await asKey.call<EndpointJson>('POST', `/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL }, key);
    expect(mine.status).toBe(201);
    const theirs = (await http.api.post<EndpointJson>(`/v1/accounts/${other}/webhooks`, { url: PUBLIC_URL })).body;
    expect((await asKey.call('GET', `/v1/accounts/${other}/webhooks/${theirs.id}`, undefined, key)).status).toBe(404);
    expect((await asKey.call('POST', `/v1/accounts/${other}/webhooks`, { url: PUBLIC_URL }, key)).status).toBe(404);
    expect((await asKey.call('GET', `/v1/accounts/${accountId}/webhooks/${theirs.id}`, undefined, key)).status).toBe(
      404,
    );
    expect((await asKey.call('GET', `/v1/accounts/${accountId}/webhooks`, undefined, 'wrong')).status).toBe(401);
  });

  it('change their events, disable, rotate their secret with a 24-hour overlap, and go', async () => {
    const accountId = await account();
    const created = (await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL })).body;
    const path = `/v1/accounts/${accountId}/webhooks/${created.id}`;
    const patched = await http.api.patch<EndpointJson>(path, { events: ['seller.replied'], enabled: false });
    expect(patched).toMatchObject({ status: 200, body: { events: ['seller.replied'], enabled: false } });
    expect((await http.api.patch<{ field: string }>(path, { events: ['lead.updated'] })).body.field).toBe(
      'body/events/0',
    );

    const rotated = await http.api.post<{ secret: string; previousSecretExpiresAt: string }>(`${path}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const overlap = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3_600_000);
    const stored = (await t.db('webhook_endpoints').where({ id: created.id }).first<{
      secret: string;
      previous_secret: string;
    }>())!;
    expect(stored).toMatchObject({ secret: rotated.body.secret, previous_secret: created.secret });

    expect((await http.api.delete(path)).status).toBe(204);
    expect((await http.api.get(path)).status).toBe(404);
    expect((await http.api.delete(path)).status).toBe(404);
  });
});

describe('webhook delivery', () => {
  it('posts an event once, as JSON with type, timestamp and data, signed as Standard Webhooks asks', async () => {
    const r = await receiver();
    const accountId = await account();
    const endpoint = await subscribe(accountId, r);
    const eventId = randomUUID();
    const event = leadCreated(accountId, randomUUID(), eventId);
    // The same event twice (as a redelivery brings it): one delivery.
    await publish([event]);
    await publish([event]);
    const delivered = await deliveryWhen(endpoint.path, (d) => d.status === 'delivered', 'the delivery');
    expect(delivered).toMatchObject({ eventId, type: 'lead.created', attempts: 1, lastStatusCode: 200 });
    await t.waitForConsumerGroup('webhooks', 'leads.created');
    expect(await deliveries(endpoint.path)).toHaveLength(1);
    expect(r.received).toHaveLength(1);
    expect(r.unverified).toEqual([]);
    const [got] = r.received;
    expect(got!.id).toBe(eventId);
    expect(got!.verifiedWith).toEqual([endpoint.secret]);
    expect(Object.keys(got!.body)).toEqual(['type', 'timestamp', 'data']);
    const value = (event as { value: typeof sampleEvents.LeadCreated }).value;
    expect(got!.body).toMatchObject({
      type: 'lead.created',
      data: {
        leadId: value.leadId,
        accountId,
        stage: 'contacte',
        channel: 'sms',
        createdAt: new Date(value.createdAt).toISOString(),
        ad: { adId: value.ad.adId, price: 14_500, scrapedAt: new Date(value.ad.scrapedAt).toISOString() },
      },
    });
    expect(got!.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('retries a receiver answering 500 twice on the schedule, and the third attempt delivers', async () => {
    const r = await receiver((_request, n) => (n < 2 ? 500 : 200));
    const accountId = await account();
    const endpoint = await subscribe(accountId, r, ['message.sent']);
    await publish([messageSent(accountId)]);

    for (const [i, wait] of SCHEDULE.entries()) {
      const failed = await deliveryWhen(endpoint.path, (d) => d.attempts === i + 1, `attempt ${i + 1}`);
      expect(failed).toMatchObject({ status: 'pending', lastStatusCode: 500 });
      // The next attempt is due exactly the schedule's wait after this one, by the service's clock ...
      expect(Date.parse(failed.nextAttemptAt!) - Date.parse(failed.lastAttemptAt!)).toBe(wait);
      expect(r.received).toHaveLength(i + 1);
      // ... and comes once that clock gets there.
      offsetMs += wait;
    }
    const delivered = await deliveryWhen(endpoint.path, (d) => d.status === 'delivered', 'the third attempt');
    expect(delivered.attempts).toBe(3);
    expect(delivered.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    const at = delivered.attemptLog.map((a) => Date.parse(a.at));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(SCHEDULE[0]!);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(SCHEDULE[1]!);
    expect(new Set(r.received.map((w) => w.id)).size).toBe(1);
    expect(r.unverified).toEqual([]);

    // Sent again by hand: one more attempt, now.
    const retried = await http.api.post<{ delivery: DeliveryJson }>(
      `${endpoint.path}/deliveries/${delivered.id}/retry`,
    );
    expect(retried).toMatchObject({ status: 202, body: { delivery: { status: 'pending' } } });
    await deliveryWhen(endpoint.path, (d) => d.status === 'delivered' && d.attempts === 4, 'the retry by hand');
    expect(r.received).toHaveLength(4);
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const r = await receiver();
    const accountId = await account();
    const endpoint = await subscribe(accountId, r);
    const rotated = (await http.api.post<{ secret: string }>(`${endpoint.path}/rotate-secret`)).body.secret;
    r.secrets = [endpoint.secret, rotated];
    await publish([leadCreated(accountId)]);
    await waitFor(() => r.received.length === 1, { message: 'the first delivery' });
    // Two signatures, each verified by its own secret: a receiver with either one accepts it.
    expect(r.received[0]!.signatures).toHaveLength(2);
    expect(r.received[0]!.verifiedWith).toEqual([endpoint.secret, rotated]);

    offsetMs += 24 * 3_600_000 + 1000;
    await publish([leadCreated(accountId)]);
    await waitFor(() => r.received.length === 2, { message: 'the delivery after the overlap' });
    expect(r.received[1]!.signatures).toHaveLength(1);
    expect(r.received[1]!.verifiedWith).toEqual([rotated]);
    expect(r.unverified).toEqual([]);
  });

  it("never posts a lead's message.sent before its lead.created, even when the topics are read the other way round", async () => {
    const r = await receiver();
    const accountId = await account();
    await subscribe(accountId, r);
    // A lead of the account (its LeadCreated not published yet).
    const brand = newBrand();
    expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [newBrand()] }))).status).toBe(201);
    const ad = adInput({ brand });
    await ingestSilently(t.db, [ad]);
    const adId = ((await t.db('ads').where({ external_id: ad.externalId }).first('id')) as { id: string }).id;
    const huntId = ((await t.db('hunts').where({ account_id: accountId }).first('id')) as { id: string }).id;
    const leadId = randomUUID();
    // Created by the service's clock, as the matcher creates a lead.
    await t
      .db('leads')
      .insert({ id: leadId, account_id: accountId, ad_id: adId, hunt_id: huntId, created_at: clock.now() });

    await publish([messageSent(accountId, leadId)]);
    await waitFor(
      async () =>
        (await t.db('webhook_deliveries').where({ lead_id: leadId }).whereNotNull('awaits_lead_until').first()) !==
        undefined,
      { message: 'the message.sent delivery recorded, held for its lead.created' },
    );
    // Another lead's event gets through meanwhile: the dispatcher ran, and left the held one alone.
    await publish([leadCreated(accountId)]);
    await waitFor(() => r.received.length === 1, { message: 'the other lead delivered' });

    await publish([leadCreated(accountId, leadId)]);
    await waitFor(() => r.received.length === 3, { message: 'the lead and its message delivered' });
    const ofLead = r.received.filter((w) => w.body.data.leadId === leadId).map((w) => w.body.type);
    expect(ofLead).toEqual(['lead.created', 'message.sent']);
    expect(r.unverified).toEqual([]);
  });

  it('delivers to one endpoint while another hangs, and neither matching nor sending waits for it', async () => {
    const hanging = await receiver(() => 'hang');
    const fast = await receiver();
    const accountId = await account();
    const slow = await subscribe(accountId, hanging, ['lead.created']);
    await subscribe(accountId, fast, ['lead.created']);
    const brand = newBrand();
    expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [brand] }))).status).toBe(201);
    await waitFor(
      async () => (await t.db('inbox').where('consumer', 'like', '%matcher-backfill').first()) !== undefined,
    );
    const ads = Array.from({ length: 6 }, (_, i) => adInput({ brand, phone: `+3361234${String(5600 + i)}` }));
    expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);

    await waitFor(() => fast.received.length === ads.length, {
      message: 'every lead at the fast endpoint',
      timeoutMs: 20_000,
    });
    // The fast endpoint got every lead while the hanging one still holds its first requests open.
    expect(hanging.received.length).toBeGreaterThan(0);
    expect(hanging.open()).toBe(hanging.received.length);
    expect((await deliveries(slow.path)).every((d) => d.attempts === 0)).toBe(true);
    // The leads were created, and their sellers messaged, meanwhile.
    await waitFor(
      async () =>
        (await t.db('messages').where({ account_id: accountId, status: 'sent' }).pluck('id')).length === ads.length,
      { message: 'every seller messaged', timeoutMs: 20_000 },
    );
    expect(hanging.open()).toBe(hanging.received.length);
    expect(await t.db('leads').where({ account_id: accountId }).pluck('id')).toHaveLength(ads.length);
    expect(fast.unverified).toEqual([]);
    expect((await http.api.delete(slow.path)).status).toBe(204);
  });

  it('reaches examples/webhook-receiver.ts, which verifies it and refuses a forgery', async () => {
    const port = await closedPort();
    const accountId = await account();
    const endpoint = await subscribe(accountId, { url: `http://127.0.0.1:${port}/webhooks`, secrets: [] }, [
      'lead.created',
    ]);
    let output = '';
    example = spawn(process.execPath, [...EXIT_WITH_PARENT, '--import', 'tsx', 'examples/webhook-receiver.ts'], {
      cwd: projectRoot(),
      env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: endpoint.secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    example.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    example.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => example!.once('exit', (code) => resolve(code)));
    await waitFor(() => output.includes('[webhooks] listening'), { message: 'the example listening' });

    const leadId = randomUUID();
    await publish([leadCreated(accountId, leadId)]);
    await waitFor(() => output.includes(`[webhooks] lead.created ${leadId} stage=contacte`), {
      message: 'the example printing the lead',
    });
    const forged = await fetch(`http://127.0.0.1:${port}/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl',
      },
      body: JSON.stringify({ type: 'lead.created', timestamp: new Date().toISOString(), data: { leadId } }),
    });
    expect(forged.status).toBe(400);
    await waitFor(() => output.includes('[webhooks] refused msg_forged: No matching signature found'));
    expect(output.match(/\[webhooks\] lead\.created/g)).toHaveLength(1);
    // The receiver prints before its answer reaches the deliverer, which records the delivery after that.
    const delivered = await deliveryWhen(endpoint.path, (d) => d.status === 'delivered', 'the delivery recorded');
    expect(delivered).toMatchObject({ status: 'delivered', lastStatusCode: 204 });
    example.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('disables an endpoint that failed for five days, says why, and lists it in the console', async () => {
    const port = await closedPort();
    const dead = { url: `http://127.0.0.1:${port}/hook`, secrets: [] as string[] };
    const accountId = await account();
    const endpoint = await subscribe(accountId, dead, ['lead.created']);
    await publish([leadCreated(accountId)]);
    const first = await deliveryWhen(endpoint.path, (d) => d.attempts === 1, 'the first attempt');
    expect(first).toMatchObject({ status: 'pending', lastStatusCode: null });
    expect(first.lastError).toMatch(/ECONNREFUSED/);
    const failing = await http.api.get<{ enabled: boolean; failingSince: string }>(endpoint.path);
    expect(failing.body).toMatchObject({ enabled: true, failingSince: first.lastAttemptAt });

    const ops = apiClient(t.url).call;
    const listed = async () =>
      (
        await ops<{ endpoints: Array<{ id: string; enabled: boolean; disabledReason: string | null }> }>(
          'GET',
          '/v1/ops/webhooks/failing',
          undefined,
          TOKENS.OPS_TOKEN,
        )
      ).body.endpoints.find((e) => e.id === endpoint.id);
    expect(await listed()).toMatchObject({ enabled: true, disabledReason: null });

    offsetMs += 5 * 24 * 3_600_000;
    const disabled = await waitFor(
      async () => {
        const e = (await http.api.get<{ enabled: boolean; disabledReason: string | null }>(endpoint.path)).body;
        return e.enabled ? undefined : e;
      },
      { message: 'the endpoint disabled' },
    );
    expect(disabled.disabledReason).toMatch(/^every attempt failed since .+ \(5 days\); the last: ECONNREFUSED/);
    expect(await listed()).toMatchObject({ enabled: false, disabledReason: disabled.disabledReason });
    expect(await metricValue(service.url, 'hunt_matcher_webhook_endpoints_disabled_total')).toBe(1);
    expect((await deliveries(endpoint.path))[0]).toMatchObject({ attempts: 2, status: 'pending' });
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
