// Sending through Brevo's transactional SMS API (https://developers.brevo.com/docs/transactional-sms-endpoints):
// POST /v3/transactionalSMS/send with the api-key header and a JSON body {sender, recipient, content,
// type, tag, webUrl, unicodeEnabled}; the answer's messageId is the message's external id. Sent as
// type "marketing": a seller contacted about their ad is commercial prospecting, and Brevo then
// replaces "[STOP CODE]" with its opt-out short code and holds the SMS outside the hours French
// rules allow. The tag carries our message id, so that a doubtful attempt can be looked up exactly
// (GET /v3/transactionalSMS/statistics/events?tags=…) before it is sent again; webUrl names where
// Brevo posts this SMS's events, with our message id and our secret.
// Plain undici rather than @getbrevo/brevo: the same keep-alive pool as the other providers, and a
// base URL that tests point at a local stand-in (BREVO_API_URL).
import { SegmentedMessage } from 'sms-segments-calculator';
import type { MessageProvider, SendOutcome } from '../provider.js';
import { call, createAgent, jsonObject, type HttpAnswer } from '../httpCall.js';
import type { BrevoSettings } from './brevoSettings.js';

export interface BrevoClientOptions {
  settings: BrevoSettings;
  /** {PUBLIC_BASE_URL}/v1/providers/brevo/events */
  eventsUrl: string;
  timeoutMs: number;
  now: () => Date;
}

/** Brevo wants the recipient with its country code and no "+". */
export const brevoRecipient = (e164: string) => e164.replace(/^\+/, '');

const day = (d: Date) => d.toISOString().slice(0, 10);

export function classifyBrevoAnswer(answer: HttpAnswer, now: Date): Exclude<SendOutcome, { kind: 'sent' }> {
  const json = jsonObject(answer.text);
  const code = typeof json.code === 'string' ? json.code : `HTTP ${answer.status}`;
  const message = typeof json.message === 'string' ? json.message : answer.text.slice(0, 200);
  const detail = `brevo ${answer.status} ${code}: ${message}`;
  if (answer.status === 429) {
    // Brevo sends no Retry-After: x-sib-ratelimit-reset says how many seconds until the window resets.
    const reset = Number(answer.header('x-sib-ratelimit-reset'));
    return {
      kind: 'retry',
      reason: detail,
      retryAfterMs: Number.isFinite(reset) && reset >= 0 ? reset * 1000 : null,
      uncertain: false,
    };
  }
  if (answer.status >= 500) return { kind: 'retry', reason: detail, retryAfterMs: null, uncertain: true };
  // Our key, or the account's credits: nothing the message can change, and it waits for them.
  if (answer.status === 401 || answer.status === 403)
    return { kind: 'retry', reason: `${detail} (check BREVO_API_KEY)`, retryAfterMs: null, uncertain: false };
  if (answer.status === 402)
    return {
      kind: 'retry',
      reason: `${detail} (the Brevo account needs SMS credits)`,
      retryAfterMs: null,
      uncertain: false,
    };
  if (answer.status === 400 && /recipient|mobile|number/i.test(message))
    return { kind: 'permanent', reason: 'not_mobile', detail };
  void now;
  return { kind: 'permanent', reason: detail };
}

export function createBrevoClient(options: BrevoClientOptions): MessageProvider {
  const { settings } = options;
  const agent = createAgent(options.timeoutMs);
  const headers = { 'api-key': settings.apiKey, accept: 'application/json' };
  const secret = settings.webhookSecrets[settings.webhookSecrets.length - 1] ?? '';

  const lookUp = async (
    messageId: string,
    to: string,
    since: Date,
  ): Promise<{ externalId: string | null; found: boolean } | { failed: string }> => {
    const query = new URLSearchParams({
      tags: messageId,
      phoneNumber: brevoRecipient(to),
      startDate: day(new Date(since.getTime() - 86_400_000)),
      endDate: day(options.now()),
      limit: '10',
    });
    const result = await call(agent, `${settings.apiUrl}/v3/transactionalSMS/statistics/events?${query.toString()}`, {
      method: 'GET',
      timeoutMs: options.timeoutMs,
      headers,
    });
    if (!result.ok) return { failed: result.reason };
    if (result.answer.status !== 200) return { failed: `brevo lookup HTTP ${result.answer.status}` };
    const events = (jsonObject(result.answer.text).events ?? []) as Array<{ messageId?: unknown; tag?: unknown }>;
    const ours = events.find((e) => e.tag === messageId);
    const id = ours?.messageId;
    return {
      found: ours !== undefined,
      externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
    };
  };

  return {
    name: 'brevo',
    async send(m, { unconfirmedSince }) {
      if (unconfirmedSince) {
        const looked = await lookUp(m.messageId, m.to, unconfirmedSince);
        if ('failed' in looked)
          return {
            kind: 'retry',
            reason: `a previous attempt may have been sent, and looking it up failed (${looked.failed})`,
            retryAfterMs: null,
            uncertain: true,
          };
        if (looked.found)
          return {
            kind: 'sent',
            externalId: looked.externalId,
            sentAt: options.now(),
            from: settings.sender,
            lookedUp: true,
          };
      }
      const webUrl = `${options.eventsUrl}?${new URLSearchParams({ messageId: m.messageId, secret }).toString()}`;
      const body = {
        sender: settings.sender,
        recipient: brevoRecipient(m.to),
        content: m.content,
        type: 'marketing',
        tag: m.messageId,
        webUrl,
        unicodeEnabled: new SegmentedMessage(m.content).getEncodingName() !== 'GSM-7',
      };
      const result = await call(agent, `${settings.apiUrl}/v3/transactionalSMS/send`, {
        method: 'POST',
        timeoutMs: options.timeoutMs,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!result.ok)
        return { kind: 'retry', reason: `brevo: ${result.reason}`, retryAfterMs: null, uncertain: result.uncertain };
      if (result.answer.status >= 200 && result.answer.status < 300) {
        const id = jsonObject(result.answer.text).messageId;
        return {
          kind: 'sent',
          externalId: typeof id === 'number' || typeof id === 'string' ? String(id) : null,
          sentAt: options.now(),
          from: settings.sender,
        };
      }
      return classifyBrevoAnswer(result.answer, options.now());
    },
    close: () => agent.close(),
  };
}
