// What one message request to Twilio costs this process's CPU, through the service's client (undici's
// pool, src/providers/twilio/twilioClient.ts) and through the twilio package's own REST client (axios),
// both pointed at the same local server (the package's `client.api.baseUrl`). The server runs in a
// child process, so that only the client's work is counted:
//   npx tsx bench/tools/twilioClientCost.ts [calls per round, default 4000] [concurrency, default 32]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { createTwilioClient } from '../../src/providers/twilio/twilioClient.js';

const ACCOUNT_SID = `AC${'ab12'.repeat(8)}`;
const AUTH_TOKEN = 'bench-auth-token';

if (process.argv[2] === 'server') {
  // The stand-in: answers every POST with a 201 and a Message resource, as fast as it can.
  const { createServer } = await import('node:http');
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      const body = JSON.stringify({
        sid: `SM${n.toString(16).padStart(32, '0')}`,
        status: 'queued',
        to: '+33612345678',
        from: '+33757000001',
        body: 'x',
        date_created: new Date().toUTCString(),
        direction: 'outbound-api',
        error_code: null,
      });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!(typeof address === 'object' && address ? address.port : 0);
  });
} else {
  const calls = Number(process.argv[2] ?? 4000);
  const concurrency = Number(process.argv[3] ?? 32);
  const child = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--import', 'tsx'] });
  const [port] = (await once(child, 'message')) as [number];
  const url = `http://127.0.0.1:${port}`;

  const ours = createTwilioClient({
    settings: {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiUrl: url,
      from: { from: '+33757000001' },
      whatsappFrom: null,
    },
    statusCallbackUrl: 'https://hm.example.com/v1/providers/twilio/status',
    timeoutMs: 10_000,
    now: () => new Date(),
  });
  const theirs = twilio(ACCOUNT_SID, AUTH_TOKEN, { keepAlive: true });
  theirs.api.baseUrl = url;

  const viaOurs = (i: number) =>
    ours.send(
      {
        messageId: `0000000${i}`,
        channel: 'sms',
        to: '+33612345678',
        from: null,
        content: 'Garage Test : Bonjour, votre 308 nous intéresse.\nRépondez STOP pour ne plus recevoir nos SMS',
        template: null,
        validUntil: null,
      },
      { unconfirmedSince: null },
    );
  const viaTheirs = (i: number) =>
    theirs.messages.create({
      to: '+33612345678',
      from: '+33757000001',
      body: 'Garage Test : Bonjour, votre 308 nous intéresse.\nRépondez STOP pour ne plus recevoir nos SMS',
      statusCallback: `https://hm.example.com/v1/providers/twilio/status?messageId=${i}`,
    });

  /** CPU microseconds of this process per call, and calls per second, over `calls` calls `concurrency` at once. */
  const round = async (one: (i: number) => Promise<unknown>) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < calls) await one(next++);
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    return { cpuUsPerCall: (used.user + used.system) / calls, callsPerSecond: calls / seconds };
  };

  // A warm-up of each, then rounds in turn, so that neither gets the machine's quiet moments alone.
  await round(viaOurs);
  await round(viaTheirs);
  const results: Record<string, Array<{ cpuUsPerCall: number; callsPerSecond: number }>> = { undici: [], twilio: [] };
  for (let r = 0; r < 3; r++) {
    results.undici!.push(await round(viaOurs));
    results.twilio!.push(await round(viaTheirs));
  }
  for (const [name, rounds] of Object.entries(results))
    process.stdout.write(
      `${name}: ${rounds.map((r) => `${r.cpuUsPerCall.toFixed(0)} us CPU/call, ${r.callsPerSecond.toFixed(0)} calls/s`).join('; ')}\n`,
    );
  await ours.close();
  child.kill();
}
