// The message gateway we do not own: POST {MESSAGE_GATEWAY_URL}/messages, and what its answers mean.
import { Agent, request } from 'undici';
export interface GatewayMessage {
  messageId: string;
  channel: string;
  to: string;
  content: string;
}

export type GatewayOutcome =
  | { kind: 'sent'; externalId: string | null; sentAt: Date }
  /** A refusal that will not change: 4xx other than 408 and 429. */
  | { kind: 'permanent'; reason: string }
  /** Worth another try: 408, 429, 5xx, timeouts, connection errors. */
  | { kind: 'retry'; reason: string; retryAfterMs: number | null };

export interface GatewayConfig {
  url: string;
  token: string;
  timeoutMs: number;
}

export interface GatewayClient {
  send(message: GatewayMessage): Promise<GatewayOutcome>;
  close(): Promise<void>;
}

/**
 * A client on undici's request API over a keep-alive pool: a fraction of the cost of WHATWG fetch per
 * call (no web streams, no AbortSignal per request), which is what lets one sender reach thousands of
 * messages per second.
 */
export function createGatewayClient(config: GatewayConfig, now: () => Date): GatewayClient {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  const url = `${config.url}/messages`;
  return {
    async send(message) {
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${config.token}`,
            // The same message always carries the same key: a retry after a lost answer is not a second message.
            'idempotency-key': message.messageId,
          },
          body: JSON.stringify(message),
        });
        status = response.statusCode;
        text = await response.body.text().catch(() => '');
        const header = response.headers['retry-after'];
        retryAfter = Array.isArray(header) ? (header[0] ?? null) : (header ?? null);
      } catch (error) {
        const e = error as Error & { code?: string };
        const timedOut = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
        return { kind: 'retry', reason: timedOut ? `timeout after ${config.timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`, retryAfterMs: null };
      }
      return classifyGatewayResponse(status, text, retryAfter, now());
    },
    close: () => agent.close(),
  };
}

export function classifyGatewayResponse(status: number, body: string, retryAfter: string | null, now: Date): GatewayOutcome {
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // not JSON: keep the text as the reason
  }
  if (status >= 200 && status < 300) {
    const id = json.id ?? json.messageId ?? json.externalId;
    const at = typeof json.sentAt === 'string' ? json.sentAt : typeof json.acceptedAt === 'string' ? json.acceptedAt : null;
    const sentAt = at && !Number.isNaN(Date.parse(at)) ? new Date(at) : now;
    return { kind: 'sent', externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null, sentAt };
  }
  const detail = [json.error, json.message, json.reason].find((v) => typeof v === 'string') as string | undefined;
  const reason = `HTTP ${status}${detail ? ` ${detail}` : body && !body.startsWith('{') ? ` ${body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(retryAfter, now) };
  return { kind: 'permanent', reason };
}

/** Retry-After as seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
