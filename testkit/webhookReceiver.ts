// A real HTTP server receiving webhooks as a dealer's CRM would: every request is verified with the
// Standard Webhooks package (`standardwebhooks`), never with the service's own signer, against the
// secrets the test gives it. What it answers is scripted per request; `hang` never answers (until the
// server closes).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  /** The signatures of the header, as sent. */
  signatures: string[];
  /** The secrets (of those the receiver was given) that verify it. */
  verifiedWith: string[];
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  raw: string;
  /** What the receiver answered. */
  answered: number | 'hang';
}

export type ReceiverScript = (request: { id: string; type: string }, n: number) => number | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order. */
  received: ReceivedWebhook[];
  /** Requests no given secret verified (must stay empty). */
  unverified: Array<{ headers: IncomingMessage['headers']; raw: string; error: string }>;
  /** Requests still waiting for an answer (the `hang` ones). */
  open(): number;
  /** The secrets requests are verified with (the current one, and a previous one during a rotation). */
  secrets: string[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  script: ReceiverScript = () => 200,
  options: { path?: string } = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const unverified: WebhookReceiver['unverified'] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received,
    unverified,
    secrets: [],
    open: () => hanging.size,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verifiedWith: string[] = [];
      let lastError = 'no secret to verify with';
      for (const secret of receiver.secrets) {
        try {
          new Webhook(secret).verify(raw, headers);
          verifiedWith.push(secret);
        } catch (error) {
          lastError = (error as Error).message;
        }
      }
      if (verifiedWith.length === 0) {
        unverified.push({ headers: req.headers, raw, error: lastError });
        res.writeHead(400).end('signature not verified');
        return;
      }
      const body = JSON.parse(raw) as ReceivedWebhook['body'];
      const answer = script({ id: headers['webhook-id'], type: body.type }, received.length);
      received.push({
        id: headers['webhook-id'],
        timestamp: Number(headers['webhook-timestamp']),
        signatures: headers['webhook-signature'].split(' '),
        verifiedWith,
        body,
        raw,
        answered: answer,
      });
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.path ?? '/hooks/hunt-matcher'}`;
  return receiver;
}
