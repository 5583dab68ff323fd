// Sending through Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource):
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth, with a
// StatusCallback naming our message id, so that a receipt never arrives before we know the message.
// A WhatsApp message outside the 24 hours after the seller's last message is an approved template
// (ContentSid, and ContentVariables as JSON), never a Body: WhatsApp takes nothing else from a
// business there. Every message carries a ValidityPeriod that ends no later than the seller's contact
// window, so that Twilio's queue cannot deliver it at night (Twilio's default is 10 hours).
//
// Twilio has no idempotency key. An attempt whose answer was lost (a timeout, a connection reset
// after the request was written, a crash before its outcome was recorded) is therefore never sent
// again blindly: the next attempt first reads the newest messages to that phone (and from our sender)
// and takes the one with our body (any, for a template, whose text Twilio renders), created since the
// doubtful attempt began, as sent. It reads by To and From rather than DateSent, because a message
// Twilio still has queued has no date_sent yet. A message whose status callback never came is read
// back by its sid (GET …/Messages/{sid}.json) and read as its callback would have been.
//
// Plain undici rather than the twilio package's REST client. The package's client could be pointed at
// the local stand-in the tests use (its `client.api.baseUrl`, or a custom `httpClient`); it is left out
// because it goes through axios, which costs this process several times the CPU per call of undici's
// pool (bench/tools/twilioClientCost.ts measures both against one local server; docs/providers.md has
// the figures), and the sender makes one call per message. The package is used where it is the
// reference: validating the callbacks' signatures (twilioCallbacks.ts), and signing them in the stand-in.
import type { MessageProvider, OutboundMessage, SendOutcome } from '../provider.js';
import { call, createAgent, getFrom, jsonObject, outcomeOfLookUp } from '../httpCall.js';
import type { HttpAnswer, ProviderConnection } from '../httpCall.js';
import { parseTwilioStatus } from './twilioCallbacks.js';
import { classifyTwilioAnswer } from './twilioErrors.js';
import type { TwilioSender, TwilioSettings } from './twilioSettings.js';

export interface TwilioClientOptions {
  settings: TwilioSettings;
  /** Where Twilio posts status callbacks: {PUBLIC_BASE_URL}/v1/providers/twilio/status. */
  statusCallbackUrl: string;
  timeoutMs: number;
  now: () => Date;
}

const LOOKUP_PAGE = 50;
/** A doubtful attempt's message was created at the earliest this long before the attempt began (clocks differ). */
const CLOCK_SKEW_MS = 60_000;
/** Twilio's bounds for ValidityPeriod, in seconds. */
const VALIDITY_MIN_S = 1;
const VALIDITY_MAX_S = 36_000;

interface TwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  body: string;
  direction: string;
  date_created: string | null;
}

/** Seconds from `now` to `until`, within Twilio's bounds for ValidityPeriod; null without a window. */
export function validityPeriod(until: Date | null, now: Date): number | null {
  if (!until) return null;
  const seconds = Math.floor((until.getTime() - now.getTime()) / 1000);
  return Math.min(VALIDITY_MAX_S, Math.max(VALIDITY_MIN_S, seconds));
}

export function createTwilioClient(options: TwilioClientOptions): MessageProvider {
  const { settings } = options;
  const agent = createAgent(options.timeoutMs);
  const account = `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}`;
  const base = `${account}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  const headers = { authorization, accept: 'application/json' };

  const addresses = (m: OutboundMessage) => addressesOf(settings, m);

  const lookUp = (m: OutboundMessage, since: Date) =>
    lookUpSent({ agent, base, headers, timeoutMs: options.timeoutMs }, addresses(m), m, since);

  return {
    name: 'twilio',
    async send(m, { unconfirmedSince }) {
      const { to, from } = addresses(m);
      if (unconfirmedSince) {
        const looked = await lookUp(m, unconfirmedSince);
        const known = outcomeOfLookUp(
          'failed' in looked ? looked : looked.found ? { externalId: looked.found.sid } : null,
          fromText(from),
          options.now(),
        );
        if (known) return known;
      }
      const form = sendForm(m, to, from, options.statusCallbackUrl, options.now());
      const result = await call(agent, base, {
        method: 'POST',
        timeoutMs: options.timeoutMs,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (!result.ok)
        return { kind: 'retry', reason: `twilio: ${result.reason}`, retryAfterMs: null, uncertain: result.uncertain };
      const { status, text } = result.answer;
      if (status >= 200 && status < 300) return sentOutcome(result.answer, from, options.now());
      return classifyTwilioAnswer(status, text, result.answer.header('retry-after'), options.now());
    },
    async fetchStatus(m) {
      if (!m.externalId) return { kind: 'unknown', why: 'no Message SID was recorded' };
      const result = await getFrom(
        { agent, headers, timeoutMs: options.timeoutMs },
        `${account}/Messages/${encodeURIComponent(m.externalId)}.json`,
      );
      if (!result.ok) throw new Error(`twilio: ${result.reason}`);
      if (result.answer.status === 404) return { kind: 'unknown', why: `Twilio has no message ${m.externalId}` };
      if (result.answer.status !== 200) throw new Error(`twilio: HTTP ${result.answer.status} reading ${m.externalId}`);
      return readStatus(result.answer, m.externalId, m.messageId, options.now());
    },
    close: () => agent.close(),
  };
}

/** A message Twilio accepted: its SID. */
function sentOutcome(answer: HttpAnswer, from: TwilioSender, now: Date): SendOutcome {
  const sid = jsonObject(answer.text).sid;
  return {
    kind: 'sent',
    externalId: typeof sid === 'string' ? sid : null,
    sentAt: now,
    from: fromText(from),
  };
}

/** A message as Twilio's API reads it back, read as its status callback would say it. */
function readStatus(answer: HttpAnswer, externalId: string, messageId: string, now: Date) {
  const params = statusParams(jsonObject(answer.text), externalId);
  const parsed = parseTwilioStatus(params, { messageId }, now);
  if (Array.isArray(parsed)) return { kind: 'unknown' as const, why: `Twilio answered ${parsed[0]} ${parsed[1]}` };
  return parsed;
}

/** The address forms Twilio wants: "whatsapp:+33…" on both sides for WhatsApp. */
function addressesOf(
  settings: TwilioClientOptions['settings'],
  m: OutboundMessage,
): { to: string; from: TwilioSender } {
  const whatsapp = m.channel === 'whatsapp';
  const own = m.from ? { from: m.from.replace(/^whatsapp:/, '') } : null;
  const fallback = whatsapp ? settings.whatsappFrom : settings.from;
  const from = own ?? fallback;
  if (!from) throw new Error(`no Twilio sender for ${m.channel} (TWILIO_${whatsapp ? 'WHATSAPP_' : ''}FROM)`);
  const prefix = (n: string) => (whatsapp ? `whatsapp:${n}` : n);
  return { to: prefix(m.to), from: 'from' in from ? { from: prefix(from.from) } : from };
}

const fromText = (from: TwilioSender) => ('from' in from ? from.from : from.messagingServiceSid);

interface TwilioCalls extends ProviderConnection {
  base: string;
}

/** Twilio's message to this phone (with our body, unless it is a template), created since `since` (minus the clock skew), if any. */
async function lookUpSent(
  c: TwilioCalls,
  address: { to: string; from: TwilioSender },
  m: OutboundMessage,
  since: Date,
): Promise<{ found: TwilioMessage | null } | { failed: string }> {
  const { to, from } = address;
  const query = new URLSearchParams({ To: to, PageSize: String(LOOKUP_PAGE) });
  if ('from' in from) query.set('From', from.from);
  const result = await getFrom(c, `${c.base}?${query.toString()}`);
  if (!result.ok) return { failed: result.reason };
  if (result.answer.status !== 200) return { failed: `twilio lookup HTTP ${result.answer.status}` };
  const messages = (jsonObject(result.answer.text).messages ?? []) as TwilioMessage[];
  const earliest = since.getTime() - CLOCK_SKEW_MS;
  const found = messages.find(
    (x) =>
      (m.template !== null || x.body === m.content) &&
      x.direction?.startsWith('outbound') &&
      (x.date_created === null || Date.parse(x.date_created) >= earliest),
  );
  return { found: found ?? null };
}

/** The form of a message's POST: recipient, sender, body or template, callback, validity. */
function sendForm(m: OutboundMessage, to: string, from: TwilioSender, statusCallbackUrl: string, now: Date) {
  const form = new URLSearchParams({
    To: to,
    StatusCallback: `${statusCallbackUrl}?messageId=${encodeURIComponent(m.messageId)}`,
  });
  if (m.template) {
    form.set('ContentSid', m.template.contentSid);
    form.set('ContentVariables', JSON.stringify(m.template.variables));
  } else form.set('Body', m.content);
  if ('from' in from) form.set('From', from.from);
  else form.set('MessagingServiceSid', from.messagingServiceSid);
  const validity = validityPeriod(m.validUntil, now);
  if (validity !== null) form.set('ValidityPeriod', String(validity));
  return form;
}

/** A message read back, as the parameters of a status callback. */
function statusParams(json: Record<string, unknown>, sid: string): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: sid,
    MessageStatus: typeof json.status === 'string' ? json.status : '',
  };
  if (typeof json.error_code === 'number' || typeof json.error_code === 'string')
    params.ErrorCode = String(json.error_code);
  return params;
}
