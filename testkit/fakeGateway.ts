// A real local HTTP server that behaves like the message gateway: POST /messages with a bearer token
// and an Idempotency-Key. Each test (or benchmark) scripts its answers; every request is recorded.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface GatewayRequest {
  /** When the request arrived (epoch ms, sub-millisecond). */
  at: number;
  idempotencyKey: string;
  authorization: string | undefined;
  body: { messageId: string; channel: string; to: string; content: string };
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs before the answer is sent (e.g. to hold a lock while the sender waits). */
  before?: () => Promise<void>;
}

/** Decides the answer to a request; `attempt` counts this message's requests, from 1. */
export type Script = (request: GatewayRequest, attempt: number) => Answer | Promise<Answer>;

export async function startFakeGateway(token: string, script: Script = () => ({ status: 202 })) {
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
        if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end(JSON.stringify({ error: 'bad token' }));
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
        let body = answer.body;
        if (answer.status >= 200 && answer.status < 300 && body === undefined) {
          // Idempotent like a real gateway: the same key gets the same message id.
          if (!sent.has(request.idempotencyKey)) sent.set(request.idempotencyKey, randomUUID());
          body = { id: sent.get(request.idempotencyKey), acceptedAt: new Date().toISOString() };
        }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(body === undefined ? '' : JSON.stringify(body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Distinct messages the gateway accepted (what a seller would receive). */
    delivered: () => sent.size,
    script(next: Script) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
