// The generic message gateway (MESSAGE_GATEWAY_URL), the provider for development and for gateways
// of one's own: POST {url}/messages, JSON, a bearer token, and the message id as Idempotency-Key, so a
// retry after a lost answer is never a second message (no lookup needed). The body says when the
// seller's contact window closes (validUntil) and, for a WhatsApp template, its ContentSid and
// variables. The gateway has no documented way to read a message back: its receipts are its callbacks.
import { GATEWAY, type MessageProvider, type SendOutcome } from '../provider.js';
import { call, createAgent, jsonObject, parseRetryAfter } from '../httpCall.js';

export interface GatewaySettings {
  url: string;
  token: string;
  timeoutMs: number;
}

export function createGatewayClient(settings: GatewaySettings, now: () => Date): MessageProvider {
  const agent = createAgent(settings.timeoutMs);
  const url = `${settings.url}/messages`;
  return {
    name: GATEWAY,
    async send(message) {
      const result = await call(agent, url, {
        method: 'POST',
        timeoutMs: settings.timeoutMs,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${settings.token}`,
          'idempotency-key': message.messageId,
        },
        body: JSON.stringify({
          messageId: message.messageId,
          channel: message.channel,
          to: message.to,
          content: message.content,
          ...(message.from ? { from: message.from } : {}),
          ...(message.template ? { template: message.template } : {}),
          ...(message.validUntil ? { validUntil: message.validUntil.toISOString() } : {}),
        }),
      });
      // The Idempotency-Key makes a repeat harmless: nothing is uncertain here.
      if (!result.ok) return { kind: 'retry', reason: result.reason, retryAfterMs: null, uncertain: false };
      return classifyGatewayResponse(
        result.answer.status,
        result.answer.text,
        result.answer.header('retry-after'),
        now(),
        message.from,
      );
    },
    fetchStatus: () => Promise.resolve({ kind: 'unknown', why: 'the generic gateway has no lookup' }),
    close: () => agent.close(),
  };
}

/** 2xx sent; 408, 429 and 5xx worth another try (Retry-After honoured); any other answer permanent. */
export function classifyGatewayResponse(
  status: number,
  body: string,
  retryAfter: string | null,
  now: Date,
  from: string | null = null,
): SendOutcome {
  const json = jsonObject(body);
  if (status >= 200 && status < 300) {
    const id = json.id ?? json.messageId ?? json.externalId;
    const at =
      typeof json.sentAt === 'string' ? json.sentAt : typeof json.acceptedAt === 'string' ? json.acceptedAt : null;
    const sentAt = at && !Number.isNaN(Date.parse(at)) ? new Date(at) : now;
    return {
      kind: 'sent',
      externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
      sentAt,
      from,
    };
  }
  const detail = [json.error, json.message, json.reason].find((v) => typeof v === 'string') as string | undefined;
  const reason = `HTTP ${status}${detail ? ` ${detail}` : body && !body.startsWith('{') ? ` ${body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500)
    return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(retryAfter, now), uncertain: false };
  return { kind: 'permanent', reason };
}
