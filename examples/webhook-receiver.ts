// A receiver of hunt-matcher's webhooks, written the way a dealer's integration would be: Node's http
// server and the Standard Webhooks package, nothing from hunt-matcher (docs/events.md, "Webhooks").
// It verifies every request's signature, skips what it already received (delivery is at least once),
// answers 2xx quickly, and prints each lead and what became of its message.
//
//   WEBHOOK_SECRET=whsec_... PORT=4000 npx tsx examples/webhook-receiver.ts
//   curl -X POST -H "Authorization: Bearer $API_TOKEN" -H 'content-type: application/json' \
//     -d '{"url":"http://127.0.0.1:4000/webhooks"}' $HUNT_MATCHER/v1/accounts/$ACCOUNT/webhooks
//   (npm run dev accepts http:// URLs on this machine; production takes https:// only)
//
// Environment: WEBHOOK_SECRET (the `whsec_` secret the subscription answered; during a rotation,
// the new and the old one, comma-separated), PORT (default 4000), HOST (default 127.0.0.1).
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const secrets = (process.env.WEBHOOK_SECRET ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (secrets.length === 0) {
  console.error('[webhooks] set WEBHOOK_SECRET to the whsec_ secret of the subscription');
  process.exit(1);
}
const verifiers = secrets.map((secret) => new Webhook(secret));
// The webhook-id of every message handled: a real receiver stores them with its effects.
const seen = new Set<string>();

interface Payload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The payload, if one of the secrets signed it (and its timestamp is within five minutes of now). */
function verify(body: string, headers: Record<string, string>): Payload {
  let error: unknown;
  for (const webhook of verifiers) {
    try {
      return webhook.verify(body, headers) as Payload;
    } catch (e) {
      error = e;
    }
  }
  throw error;
}

function handle({ type, data }: Payload) {
  if (type === 'lead.created') {
    const ad = data.ad as { title: string; price: number | null; city: string | null };
    console.log(
      `[webhooks] lead.created ${String(data.leadId)} stage=${String(data.stage)} "${ad.title}" ${ad.price ?? ''} ${ad.city ?? ''}`,
    );
  } else if (type === 'seller.replied') {
    console.log(`[webhooks] seller.replied ${String(data.leadId)}: "${String(data.text)}"`);
  } else {
    console.log(`[webhooks] ${type} ${String(data.leadId)} message=${String(data.messageId)}`);
  }
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    // Verify the raw bytes, exactly as received: parsing and serialising again would change them.
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    let payload: Payload;
    try {
      payload = verify(body, headers);
    } catch (error) {
      const why = error instanceof WebhookVerificationError ? error.message : String(error);
      console.log(`[webhooks] refused ${headers['webhook-id'] || '(no webhook-id)'}: ${why}`);
      return void res.writeHead(400).end();
    }
    // Answer at once; the work (a CRM call) would go to a queue of the receiver's own.
    res.writeHead(204).end();
    if (seen.has(headers['webhook-id'])) return;
    seen.add(headers['webhook-id']);
    handle(payload);
  });
});

const port = Number(process.env.PORT ?? 4000);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(`[webhooks] listening on http://${process.env.HOST ?? '127.0.0.1'}:${bound}/webhooks`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () =>
    server.close(() => {
      console.log('[webhooks] stopped');
      process.exit(0);
    }),
  );
