// One attempt of a webhook delivery: a signed POST of the JSON body to the endpoint, over a pool whose
// sockets connect only to public addresses (src/webhooks/addressPolicy.ts), within a timeout. A 2xx
// is delivered; any other answer (redirects are not followed), a timeout or a connection error is a
// failure, retried on the delivery's schedule.
import { Agent, request } from 'undici';
import { checkWebhookUrl, guardedLookup, UrlRefused, type UrlPolicy } from './addressPolicy.js';
import { signWebhook } from './signature.js';

export interface WebhookAttempt {
  url: string;
  /** `webhook-id`: the same on every attempt of a delivery (the receiver deduplicates on it). */
  id: string;
  body: string;
  /** The current secret, then the previous one while it still signs. */
  secrets: readonly string[];
}

export interface WebhookAnswer {
  ok: boolean;
  /** The HTTP status, when an answer came. */
  statusCode: number | null;
  /** What went wrong, when it did. */
  error: string | null;
  durationMs: number;
}

export interface WebhookSender {
  send(attempt: WebhookAttempt): Promise<WebhookAnswer>;
  close(): Promise<void>;
}

/** The most of an answer's body kept for the delivery's record; the rest is never read. */
const ANSWER_EXCERPT = 200;

/** The start of a failed answer's body, for the record: an endpoint cannot make the deliverer read megabytes. */
async function excerpt(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= ANSWER_EXCERPT) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_EXCERPT);
}

export function createWebhookSender(options: {
  policy: UrlPolicy;
  timeoutMs: number;
  /** Connections per endpoint origin. */
  connectionsPerOrigin: number;
  /** The time the signature carries: the real time, which the receiver compares with its own. */
  now: () => Date;
}): WebhookSender {
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    connections: options.connectionsPerOrigin,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: Math.min(options.timeoutMs, 5000),
    connect: { lookup: guardedLookup(options.policy) },
  });

  return {
    async send(attempt) {
      const started = Date.now();
      const done = (statusCode: number | null, error: string | null) => answerOf(statusCode, error, started);
      try {
        // Again at each delivery: the policy may have changed since the subscription was written.
        checkWebhookUrl(attempt.url, options.policy);
      } catch (error) {
        return done(null, error instanceof UrlRefused ? `url refused: ${error.message}` : String(error));
      }
      try {
        const answer = await request(attempt.url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'hunt-matcher-webhooks',
            ...signWebhook({ id: attempt.id, body: attempt.body, secrets: attempt.secrets, at: options.now() }),
          },
          body: attempt.body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const ok = answer.statusCode >= 200 && answer.statusCode < 300;
        if (ok) {
          await answer.body.dump().catch(() => undefined);
          return done(answer.statusCode, null);
        }
        const text = await excerpt(answer.body).catch(() => '');
        return done(answer.statusCode, `HTTP ${answer.statusCode}${text ? `: ${text}` : ''}`);
      } catch (error) {
        return done(null, describeFailure(error, options.timeoutMs));
      }
    },
    close: () => agent.close(),
  };
}

function answerOf(statusCode: number | null, error: string | null, started: number): WebhookAnswer {
  return {
    ok: statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error,
    durationMs: Date.now() - started,
  };
}

/** Why a request got no answer: the timeout, or the network's error code and message. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as Error & { code?: string };
  const timedOut =
    e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
  const cause = (e as { cause?: Error & { code?: string } }).cause;
  return timedOut
    ? `no answer within ${timeoutMs} ms`
    : `${e.code ?? cause?.code ?? e.name}: ${cause?.message ?? e.message}`;
}
