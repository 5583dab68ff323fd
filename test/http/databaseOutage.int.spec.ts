// A database outage seen by HTTP clients: PostgreSQL cut off by a TCP proxy between the service and the
// server (connections reset, new ones refused, as in a restart). Every route that needs the database
// answers 503 with Retry-After, never 500, and answers normally once the database is back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { registeredRoutes } from '../../src/http/app.js';
import type { Service } from '../../src/service.js';
import { adInput, huntInput, PLACES } from '../../testkit/fixtures.js';
import { startTcpProxy, type TcpProxy } from '../../testkit/tcpProxy.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
const PUBLIC = 'https://hunt-matcher.example.test';
const TWILIO_TOKEN = 'outage-twilio-auth-token';
const BREVO_SECRET = 'outage-brevo-secret-0001';
/** A Twilio callback signed as Twilio signs it (the twilio package's own function). */
const twilioCall = (path: string, params: Record<string, string>): Call => ({
  method: 'POST',
  path,
  form: params,
  signature: getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}${path}`, params),
  token: null,
});
let proxy: TcpProxy;
let service: Service;
beforeAll(async () => {
  const target = new URL(t.databaseUrl);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(t.databaseUrl);
  viaProxy.port = String(proxy.port);
  // Both providers' callback routes too: WhatsApp through Twilio, SMS through Brevo.
  service = await t.startService({
    ROLES: 'api',
    DATABASE_URL: viaProxy.toString(),
    MESSAGE_PROVIDERS: 'sms:brevo,whatsapp:twilio',
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    PUBLIC_BASE_URL: PUBLIC,
    BREVO_WEBHOOK_SECRET: BREVO_SECRET,
  });
});
afterAll(async () => {
  proxy?.up();
  await proxy?.close();
});

interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** A form-encoded body (Twilio's callbacks), with its X-Twilio-Signature. */
  form?: Record<string, string>;
  signature?: string;
  token: string | null;
}

const id = randomUUID();
const phone = encodeURIComponent('+33612345678');
const api = TOKENS.API_TOKEN;
const ops = TOKENS.OPS_TOKEN;
/** A valid request for every route that needs the database (valid: it would pass validation and auth). */
const NEEDS_THE_DATABASE: Record<string, Call> = {
  'POST /v1/ads': { method: 'POST', path: '/v1/ads', body: { ads: [adInput()] }, token: TOKENS.INGEST_TOKEN },
  'POST /v1/hunts': { method: 'POST', path: '/v1/hunts', body: huntInput(), token: api },
  'GET /v1/hunts/:id': { method: 'GET', path: `/v1/hunts/${id}`, token: api },
  'PATCH /v1/hunts/:id': { method: 'PATCH', path: `/v1/hunts/${id}`, body: { status: 'paused' }, token: api },
  'DELETE /v1/hunts/:id': { method: 'DELETE', path: `/v1/hunts/${id}`, token: api },
  'GET /v1/accounts/:accountId/hunts': { method: 'GET', path: `/v1/accounts/${id}/hunts`, token: api },
  'POST /v1/hunts/preview': {
    method: 'POST',
    path: '/v1/hunts/preview',
    body: { adType: 'voitures', location: PLACES.lyon, radiusKm: 30 },
    token: api,
  },
  'GET /v1/hunts/:id/explain': { method: 'GET', path: `/v1/hunts/${id}/explain?adId=${randomUUID()}`, token: api },
  'GET /v1/accounts/:accountId/leads': { method: 'GET', path: `/v1/accounts/${id}/leads`, token: api },
  'POST /v1/accounts': { method: 'POST', path: '/v1/accounts', body: { name: 'outage' }, token: api },
  'POST /v1/accounts/:accountId/api-keys': { method: 'POST', path: `/v1/accounts/${id}/api-keys`, token: api },
  'GET /v1/accounts/:accountId/api-keys': { method: 'GET', path: `/v1/accounts/${id}/api-keys`, token: api },
  'DELETE /v1/accounts/:accountId/api-keys/:keyId': {
    method: 'DELETE',
    path: `/v1/accounts/${id}/api-keys/${randomUUID()}`,
    token: api,
  },
  'POST /v1/ticks': { method: 'POST', path: '/v1/ticks', body: {}, token: TOKENS.CRON_SECRET },
  'POST /v1/lobstr/webhook/:secret': {
    method: 'POST',
    path: `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`,
    body: { id: `run-${id}`, event: 'run.done' },
    token: null,
  },
  'POST /v1/gateway/webhook/:secret': {
    method: 'POST',
    path: `/v1/gateway/webhook/${TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET}`,
    body: { type: 'status', messageId: randomUUID(), status: 'delivered', at: new Date().toISOString() },
    token: null,
  },
  'POST /v1/optouts': { method: 'POST', path: '/v1/optouts', body: { phone: '+33612345678' }, token: api },
  'GET /v1/optouts/:phone': { method: 'GET', path: `/v1/optouts/${phone}`, token: api },
  'DELETE /v1/optouts/:phone': { method: 'DELETE', path: `/v1/optouts/${phone}`, token: api },
  'GET /v1/ops/pipeline': { method: 'GET', path: '/v1/ops/pipeline', token: ops },
  'GET /v1/ops/accounts': { method: 'GET', path: '/v1/ops/accounts', token: ops },
  'GET /v1/ops/accounts/:accountId/leads': { method: 'GET', path: `/v1/ops/accounts/${id}/leads`, token: ops },
  'POST /v1/ops/hunts/preview': {
    method: 'POST',
    path: '/v1/ops/hunts/preview',
    body: { adType: 'voitures', location: PLACES.lyon, radiusKm: 30 },
    token: ops,
  },
  'GET /v1/accounts/:accountId': { method: 'GET', path: `/v1/accounts/${id}`, token: api },
  'PATCH /v1/accounts/:accountId': {
    method: 'PATCH',
    path: `/v1/accounts/${id}`,
    body: { senderName: 'Garage' },
    token: api,
  },
  'GET /v1/leads/:leadId/messages': { method: 'GET', path: `/v1/leads/${id}/messages`, token: api },
  'POST /v1/accounts/:accountId/webhooks': {
    method: 'POST',
    path: `/v1/accounts/${id}/webhooks`,
    body: { url: 'https://93.184.215.14/hooks' },
    token: api,
  },
  'GET /v1/accounts/:accountId/webhooks': { method: 'GET', path: `/v1/accounts/${id}/webhooks`, token: api },
  'GET /v1/accounts/:accountId/webhooks/:webhookId': {
    method: 'GET',
    path: `/v1/accounts/${id}/webhooks/${id}`,
    token: api,
  },
  'PATCH /v1/accounts/:accountId/webhooks/:webhookId': {
    method: 'PATCH',
    path: `/v1/accounts/${id}/webhooks/${id}`,
    body: { enabled: false },
    token: api,
  },
  'DELETE /v1/accounts/:accountId/webhooks/:webhookId': {
    method: 'DELETE',
    path: `/v1/accounts/${id}/webhooks/${id}`,
    token: api,
  },
  'POST /v1/accounts/:accountId/webhooks/:webhookId/rotate-secret': {
    method: 'POST',
    path: `/v1/accounts/${id}/webhooks/${id}/rotate-secret`,
    token: api,
  },
  'GET /v1/accounts/:accountId/webhooks/:webhookId/deliveries': {
    method: 'GET',
    path: `/v1/accounts/${id}/webhooks/${id}/deliveries`,
    token: api,
  },
  'POST /v1/accounts/:accountId/webhooks/:webhookId/deliveries/:deliveryId/retry': {
    method: 'POST',
    path: `/v1/accounts/${id}/webhooks/${id}/deliveries/${id}/retry`,
    token: api,
  },
  'GET /v1/ops/webhooks/failing': { method: 'GET', path: '/v1/ops/webhooks/failing', token: ops },
  'GET /v1/ops/leads/:leadId/messages': { method: 'GET', path: `/v1/ops/leads/${id}/messages`, token: ops },
  'GET /v1/ops/replies': { method: 'GET', path: '/v1/ops/replies', token: ops },
  'GET /v1/ops/providers': { method: 'GET', path: '/v1/ops/providers', token: ops },
  'GET /v1/ops/lobstr-runs': { method: 'GET', path: '/v1/ops/lobstr-runs', token: ops },
  'GET /v1/ops/sending': { method: 'GET', path: '/v1/ops/sending', token: ops },
  'POST /v1/accounts/:accountId/sending/resume': {
    method: 'POST',
    path: `/v1/accounts/${id}/sending/resume`,
    token: api,
  },
  'POST /v1/providers/twilio/status': twilioCall(`/v1/providers/twilio/status?messageId=${id}`, {
    MessageSid: `SM${'a'.repeat(32)}`,
    MessageStatus: 'delivered',
  }),
  'POST /v1/providers/twilio/inbound': twilioCall('/v1/providers/twilio/inbound', {
    MessageSid: `SM${'b'.repeat(32)}`,
    From: '+33612345678',
    To: '+33757000001',
    Body: 'Oui',
  }),
  'POST /v1/providers/brevo/events': {
    method: 'POST',
    path: `/v1/providers/brevo/events?secret=${BREVO_SECRET}`,
    body: { msg_status: 'replied', messageId: 42, to: '33612345678', reply: 'Oui' },
    token: null,
  },
};
/** Routes under /v1 that work on the broker alone: the database's outage is none of theirs. */
const BROKER_ONLY: Record<string, Call> = {
  'GET /v1/ops/dead-letters': { method: 'GET', path: '/v1/ops/dead-letters', token: ops },
  'POST /v1/ops/dead-letters/replay': {
    method: 'POST',
    path: '/v1/ops/dead-letters/replay',
    body: { topic: 'ads.scraped', offset: '0' },
    token: ops,
  },
};

async function send(call: Call) {
  const headers: Record<string, string> = {};
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (call.signature) headers['x-twilio-signature'] = call.signature;
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const body =
    call.form !== undefined
      ? new URLSearchParams(call.form).toString()
      : call.body === undefined
        ? undefined
        : JSON.stringify(call.body);
  const res = await fetch(`${service.url}${call.path}`, { method: call.method, headers, body });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (text && json ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined,
  };
}

describe('a database outage, seen from HTTP', () => {
  it('has a request for every route under /v1, each said to need the database or not', () => {
    const routes = registeredRoutes(service.app)
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    const unlisted = routes.filter((r) => !(r in NEEDS_THE_DATABASE) && !(r in BROKER_ONLY));
    expect(
      unlisted,
      'routes this test does not call during the outage: add them to NEEDS_THE_DATABASE or BROKER_ONLY',
    ).toEqual([]);
    expect(
      Object.keys(NEEDS_THE_DATABASE).filter((r) => !routes.includes(r)),
      'listed routes the service does not have',
    ).toEqual([]);
  });

  it('answers 503 with Retry-After on every route that needs the database while it is cut off, never 500, and normally once it is back', async () => {
    proxy.down();
    try {
      for (const [route, call] of Object.entries(NEEDS_THE_DATABASE)) {
        const answer = await send(call);
        expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(503);
        expect(answer.retryAfter, `${route} says when to come back`).toBe('2');
        expect(answer.body, route).toEqual({
          error: 'unavailable',
          message: 'the database is unavailable for a moment; retry after 2 s',
        });
      }
      for (const [route, call] of Object.entries(BROKER_ONLY))
        expect((await send(call)).status, route).toBeLessThan(500);
      // Liveness is the process's; readiness says the database is missing.
      expect((await send({ method: 'GET', path: '/healthz', token: null })).status).toBe(200);
      expect((await send({ method: 'GET', path: '/readyz', token: null })).status).toBe(503);
    } finally {
      proxy.up();
    }
    for (const [route, call] of Object.entries(NEEDS_THE_DATABASE)) {
      const answer = await send(call);
      expect(answer.status, `${route} after the outage: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
    }
  });

  it('answers requests caught by the cut, in the middle of their transaction, 503 as well: only 202 or 503, never 500', async () => {
    const statuses = new Map<number, number>();
    let stop = false;
    const client = async () => {
      while (!stop) {
        const { status } = await send({
          method: 'POST',
          path: '/v1/ads',
          body: { ads: Array.from({ length: 20 }, () => adInput()) },
          token: TOKENS.INGEST_TOKEN,
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 6 }, client);
    // Cuts while requests are in flight, several times: some are caught between BEGIN and COMMIT.
    for (let i = 0; i < 5; i++) {
      const before = statuses.get(202) ?? 0;
      await waitForCount(() => (statuses.get(202) ?? 0) > before + 3);
      await proxy.cut(150);
    }
    const accepted = statuses.get(202) ?? 0;
    await waitForCount(() => (statuses.get(202) ?? 0) > accepted + 3);
    stop = true;
    await Promise.all(clients);
    expect([...statuses.keys()].sort(), JSON.stringify(Object.fromEntries(statuses))).toEqual([202, 503]);
  });
});

/** Waits for the load to reach a count of accepted requests. */
const waitForCount = (reached: () => boolean) =>
  waitFor(reached, { timeoutMs: 20_000, intervalMs: 10, message: 'the load made progress' });
