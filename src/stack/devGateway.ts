// A stand-in message gateway for `npm run dev`: accepts every message and prints it, so that the
// sender role works end to end on a laptop. Production points MESSAGE_GATEWAY_URL at the real one.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export async function startDevGateway(print: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const seen = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/messages') {
        res.writeHead(404).end();
        return;
      }
      const key = String(req.headers['idempotency-key'] ?? '');
      let id = seen.get(key);
      if (!id) {
        id = randomUUID();
        seen.set(key, id);
        try {
          const m = JSON.parse(body) as { channel?: string; to?: string; content?: string };
          print(`[dev gateway] ${m.channel} to ${m.to}: ${m.content}`);
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid JSON' }));
          return;
        }
      }
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id, acceptedAt: new Date().toISOString() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
