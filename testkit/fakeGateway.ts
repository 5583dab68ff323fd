// A real local HTTP server that behaves like the message gateway: POST /messages with a bearer token
// and an Idempotency-Key. Each test (or benchmark) scripts its answers; every request is recorded.
// Like a real gateway it calls the service back (POST /v1/gateway/webhook/:secret): delivery receipts
// after it accepted a message (when `receipts` says so) and sellers' replies (`callback`).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './localServer.js';
import type { TestEnv } from './testEnv.js';

export interface GatewayRequest {
  /** When the request arrived (epoch ms, sub-millisecond). */
  at: number;
  idempotencyKey: string;
  authorization: string | undefined;
  body: { messageId: string; channel: string; to: string; content: string };
  /** The status answered and when (epoch ms), once answered; undefined while held, and for good when hung up (`hangUp`). */
  status?: number;
  answeredAt?: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs before the answer is sent (e.g. to hold a lock while the sender waits). */
  before?: () => Promise<void>;
  /** After `before`, close the connection without answering (a gateway that hung and never answered). */
  hangUp?: boolean;
}

/** Decides the answer to a request; `attempt` counts this message's requests, from 1. */
export type Script = (request: GatewayRequest, attempt: number) => Answer | Promise<Answer>;

/** The callbacks a gateway sends (the body of POST /v1/gateway/webhook/:secret). */
export type GatewayCallback =
  | { type: 'status'; messageId?: string; externalId?: string; status: 'delivered' | 'undelivered'; at: string }
  | { type: 'inbound'; from: string; text: string; at: string };

export interface WebhookOptions {
  /** The service's webhook, secret included (e.g. `${url}/v1/gateway/webhook/${secret}`). */
  url: () => string;
  /** The receipt to send for a message once accepted (by its external id), or null for none. */
  receipts?: (request: GatewayRequest) => 'delivered' | 'undelivered' | null;
}

export async function startFakeGateway(
  token: string,
  script: Script = () => ({ status: 202 }),
  webhook?: WebhookOptions,
) {
  /** One callback to the service: its answer. */
  const callback = async (body: GatewayCallback): Promise<{ status: number; body: unknown }> => {
    if (!webhook) throw new Error('this gateway was started without a webhook');
    const res = await fetch(webhook.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  /**
   * A receipt, as real gateways send them: retried while the service does not know the message yet (a
   * receipt can overtake the sender's record of the external id) or answers 5xx, 50 times at most.
   */
  const receipt = async (externalId: string, status: 'delivered' | 'undelivered') => {
    for (let attempt = 1; attempt <= 50; attempt++) {
      const answer = await callback({ type: 'status', externalId, status, at: new Date().toISOString() }).catch(() => ({
        status: 599,
        body: undefined,
      }));
      if (answer.status < 300) return;
      if (answer.status !== 404 && answer.status < 500) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const requests: GatewayRequest[] = [];
  const attempts = new Map<string, number>();
  const sent = new Map<string, string>();
  let current = script;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/messages') return void res.writeHead(404).end();
        if (req.headers.authorization !== `Bearer ${token}`)
          return void res.writeHead(401).end(JSON.stringify({ error: 'bad token' }));
        const request: GatewayRequest = {
          at: performance.timeOrigin + performance.now(),
          idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
          authorization: req.headers.authorization,
          body: JSON.parse(raw) as GatewayRequest['body'],
        };
        requests.push(request);
        const attempt = (attempts.get(request.body.messageId) ?? 0) + 1;
        attempts.set(request.body.messageId, attempt);
        const answer = await current(request, attempt);
        await answer.before?.();
        if (answer.hangUp) return void req.socket.destroy();
        let body = answer.body;
        if (answer.status >= 200 && answer.status < 300 && body === undefined) {
          // Idempotent like a real gateway: the same key gets the same message id.
          if (!sent.has(request.idempotencyKey)) sent.set(request.idempotencyKey, randomUUID());
          body = { id: sent.get(request.idempotencyKey), acceptedAt: new Date().toISOString() };
        }
        res
          .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
          .end(body === undefined ? '' : JSON.stringify(body));
        request.status = answer.status;
        request.answeredAt = performance.timeOrigin + performance.now();
        const delivery = answer.status >= 200 && answer.status < 300 ? webhook?.receipts?.(request) : null;
        const externalId = (body as { id?: unknown } | undefined)?.id;
        if (delivery && typeof externalId === 'string') void receipt(externalId, delivery);
      })();
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    requests,
    /** Distinct messages the gateway accepted (what a seller would receive). */
    delivered: () => sent.size,
    script(next: Script) {
      current = next;
    },
    /** Calls the service's webhook once (a receipt by message id, a seller's reply): the service's answer. */
    callback,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The service as the sender tests run it: the api, relay and matcher in one, and a sender of its own
 * that sends through `gateway`, polling every 100 ms unless `sender` says otherwise. The API's URL.
 */
export async function startServiceWithSender(
  t: TestEnv,
  gateway: { url: string },
  sender: Record<string, string> = {},
): Promise<string> {
  const api = await t.startService({ ROLES: 'api,relay,matcher' });
  await t.startService({ ROLES: 'sender', MESSAGE_GATEWAY_URL: gateway.url, SEND_POLL_MS: '100', ...sender });
  return api.url;
}
