// Sending through Brevo's transactional SMS API (https://developers.brevo.com/docs/transactional-sms-endpoints):
// POST /v3/transactionalSMS/send with the api-key header and a JSON body {sender, recipient, content,
// type, tag, webUrl, unicodeEnabled}; the answer's messageId is the message's external id. Sent as
// type "marketing": a seller contacted about their ad is commercial prospecting, and Brevo then
// replaces "[STOP_CODE]" with its opt-out short code and holds the SMS outside the hours it allows
// marketing SMS (not between 22:00 and 08:00, on Sundays or French public holidays). The tag carries
// our message id, so that a doubtful attempt can be looked up exactly in the SMS events report (GET
// /v3/transactionalSMS/statistics/events?tags=…, a serialized array as the report documents it)
// before it is sent again, and a message whose events never came can be read back; webUrl names
// where Brevo posts this SMS's events, with our message id and our secret.
// Plain undici rather than @getbrevo/brevo: the same keep-alive pool as the other providers, and a
// base URL that tests point at a local stand-in (BREVO_API_URL).
import { SegmentedMessage } from 'sms-segments-calculator';
import type { MessageProvider, OutboundMessage, ProviderCallback, SendOutcome } from '../provider.js';
import { call, createAgent, getFrom, jsonObject, outcomeOfLookUp } from '../httpCall.js';
import type { HttpAnswer, ProviderConnection } from '../httpCall.js';
import { receiptOfEvent } from './brevoEvents.js';
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
  // Our key, or the account's credits: the deployment's problem, not the message's. It waits for them.
  if (answer.status === 401 || answer.status === 403)
    return {
      kind: 'held',
      scope: 'provider',
      reason: 'credentials',
      code: `HTTP ${answer.status}`,
      detail: `${detail} (check BREVO_API_KEY)`,
    };
  if (answer.status === 402)
    return {
      kind: 'held',
      scope: 'provider',
      reason: 'no_credits',
      code: 'HTTP 402',
      detail: `${detail} (the Brevo account needs SMS credits)`,
    };
  if (answer.status === 400 && /recipient|mobile|number/i.test(message))
    return { kind: 'permanent', reason: 'not_mobile', detail, code: 'HTTP 400' };
  void now;
  return { kind: 'permanent', reason: detail, code: `HTTP ${answer.status}` };
}

/** The SMS events report's tags filter: a serialized array, URL-encoded by URLSearchParams. */
export const brevoTags = (...tags: string[]) => JSON.stringify(tags);

interface ReportEvent {
  messageId?: unknown;
  tag?: unknown;
  event?: unknown;
  date?: unknown;
  reason?: unknown;
}

export function createBrevoClient(options: BrevoClientOptions): MessageProvider {
  const { settings } = options;
  const agent = createAgent(options.timeoutMs);
  const headers = { 'api-key': settings.apiKey, accept: 'application/json' };
  const secret = settings.webhookSecrets[settings.webhookSecrets.length - 1] ?? '';

  const calls: BrevoCalls = { agent, apiUrl: settings.apiUrl, headers, timeoutMs: options.timeoutMs };
  const report = (messageId: string, to: string, since: Date) => readReport(calls, messageId, to, since, options.now());

  return {
    name: 'brevo',
    async send(m, { unconfirmedSince }) {
      if (unconfirmedSince) {
        const looked = await lookUpSent(calls, m.messageId, m.to, unconfirmedSince, options.now());
        const known = outcomeOfLookUp(looked, settings.sender, options.now());
        if (known) return known;
      }
      const body = sendBody(m, settings.sender, options.eventsUrl, secret);
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
    async fetchStatus(m) {
      const read = await report(m.messageId, m.recipient, m.sentAt);
      if ('failed' in read) throw new Error(`brevo: ${read.failed}`);
      if (read.events.length === 0) return { kind: 'unknown', why: 'the SMS events report has no event of this SMS' };
      return callbackOfReport(read.events, m.messageId, options.now());
    },
    close: () => agent.close(),
  };
}

interface BrevoCalls extends ProviderConnection {
  apiUrl: string;
}

/** The report's events of our SMS (by its tag, our message id), newest first. */
async function readReport(
  c: BrevoCalls,
  messageId: string,
  to: string,
  since: Date,
  now: Date,
): Promise<{ events: ReportEvent[] } | { failed: string }> {
  const query = new URLSearchParams({
    tags: brevoTags(messageId),
    phoneNumber: brevoRecipient(to),
    startDate: day(new Date(since.getTime() - 86_400_000)),
    endDate: day(now),
    limit: '100',
  });
  const result = await getFrom(c, `${c.apiUrl}/v3/transactionalSMS/statistics/events?${query.toString()}`);
  if (!result.ok) return { failed: result.reason };
  if (result.answer.status !== 200) return { failed: `brevo report HTTP ${result.answer.status}` };
  const events = (jsonObject(result.answer.text).events ?? []) as ReportEvent[];
  return { events: events.filter((e) => e.tag === messageId) };
}

/** Our SMS as Brevo's report knows it: its id when it was sent, null when it was not. */
async function lookUpSent(
  c: BrevoCalls,
  messageId: string,
  to: string,
  since: Date,
  now: Date,
): Promise<{ externalId: string | null } | null | { failed: string }> {
  const read = await readReport(c, messageId, to, since, now);
  if ('failed' in read) return read;
  const ours = read.events[0];
  if (ours === undefined) return null;
  const id = ours.messageId;
  return { externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
}

/** The body of a send: our message id as its tag, and the callback URL that carries it back. */
function sendBody(m: OutboundMessage, sender: string, eventsUrl: string, secret: string) {
  const webUrl = `${eventsUrl}?${new URLSearchParams({ messageId: m.messageId, secret }).toString()}`;
  const body = {
    sender,
    recipient: brevoRecipient(m.to),
    content: m.content,
    type: 'marketing',
    tag: m.messageId,
    webUrl,
    unicodeEnabled: new SegmentedMessage(m.content).getEncodingName() !== 'GSM-7',
  };
  return body;
}

/** The report's final event of an SMS as its callback would have said it; or the newest event, ignored. */
function callbackOfReport(events: ReportEvent[], messageId: string, now: Date): ProviderCallback {
  // The report is newest first; the final event, if any, is what its callback would have said.
  for (const e of events) {
    const callback: ProviderCallback | null = receiptOfEvent(
      typeof e.event === 'string' ? e.event : '',
      {
        messageId,
        externalId: typeof e.messageId === 'string' || typeof e.messageId === 'number' ? String(e.messageId) : null,
        reason: typeof e.reason === 'string' ? e.reason : null,
      },
      typeof e.date === 'string' && !Number.isNaN(Date.parse(e.date)) ? new Date(e.date) : now,
    );
    if (callback) return callback;
  }
  const last = events[0]!.event;
  return { kind: 'ignored', what: typeof last === 'string' ? last : 'unknown' };
}
