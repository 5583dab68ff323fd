// Sending through Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource):
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth, with a
// StatusCallback naming our message id, so that a receipt never arrives before we know the message.
//
// Twilio has no idempotency key. An attempt whose answer was lost (a timeout, a connection reset
// after the request was written, a crash before its outcome was recorded) is therefore never sent
// again blindly: the next attempt first reads the newest messages to that phone (and from our number)
// and takes the one with our body, created since the doubtful attempt began, as sent. It reads by To
// and From rather than DateSent, because a message Twilio still has queued has no date_sent yet.
//
// Plain undici rather than the twilio package's client: the package's REST client goes through axios
// (several times the cost per call of undici's pool, which matters at 1,000 messages per second), and
// its base URL cannot be pointed at the local stand-in the tests use (TWILIO_API_URL). The package is
// used where it is the reference: validating the callbacks' signatures (twilioCallbacks.ts).
import type { MessageProvider, OutboundMessage, SendOutcome } from '../provider.js';
import { call, createAgent, jsonObject, type HttpAnswer } from '../httpCall.js';
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

interface TwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  body: string;
  direction: string;
  date_created: string | null;
}

export function createTwilioClient(options: TwilioClientOptions): MessageProvider {
  const { settings } = options;
  const agent = createAgent(options.timeoutMs);
  const base = `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;

  /** The address forms Twilio wants: "whatsapp:+33…" on both sides for WhatsApp. */
  const addresses = (m: OutboundMessage): { to: string; from: TwilioSender } => {
    const whatsapp = m.channel === 'whatsapp';
    const own = m.from ? { number: m.from.replace(/^whatsapp:/, '') } : null;
    const fallback = whatsapp ? settings.whatsappFrom : settings.from;
    const from = own ?? fallback;
    if (!from) throw new Error(`no Twilio sender for ${m.channel} (TWILIO_${whatsapp ? 'WHATSAPP_' : ''}FROM)`);
    const prefix = (n: string) => (whatsapp ? `whatsapp:${n}` : n);
    return { to: prefix(m.to), from: 'number' in from ? { number: prefix(from.number) } : from };
  };
  const fromText = (from: TwilioSender) => ('number' in from ? from.number : from.messagingServiceSid);

  /** Twilio's message with our body to this phone, created since `since` (minus the clock skew), if any. */
  const lookUp = async (
    m: OutboundMessage,
    since: Date,
  ): Promise<{ found: TwilioMessage | null } | { failed: string }> => {
    const { to, from } = addresses(m);
    const query = new URLSearchParams({ To: to, PageSize: String(LOOKUP_PAGE) });
    if ('number' in from) query.set('From', from.number);
    const result = await call(agent, `${base}?${query.toString()}`, {
      method: 'GET',
      timeoutMs: options.timeoutMs,
      headers: { authorization, accept: 'application/json' },
    });
    if (!result.ok) return { failed: result.reason };
    if (result.answer.status !== 200) return { failed: `twilio lookup HTTP ${result.answer.status}` };
    const messages = (jsonObject(result.answer.text).messages ?? []) as TwilioMessage[];
    const earliest = since.getTime() - CLOCK_SKEW_MS;
    const found = messages.find(
      (x) =>
        x.body === m.content &&
        x.direction?.startsWith('outbound') &&
        (x.date_created === null || Date.parse(x.date_created) >= earliest),
    );
    return { found: found ?? null };
  };

  const sentOutcome = (answer: HttpAnswer, from: TwilioSender): SendOutcome => {
    const sid = jsonObject(answer.text).sid;
    return {
      kind: 'sent',
      externalId: typeof sid === 'string' ? sid : null,
      sentAt: options.now(),
      from: fromText(from),
    };
  };

  return {
    name: 'twilio',
    async send(m, { unconfirmedSince }) {
      const { to, from } = addresses(m);
      if (unconfirmedSince) {
        const looked = await lookUp(m, unconfirmedSince);
        // Not knowing whether it went is no reason to send it twice: try again later.
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
            externalId: looked.found.sid,
            sentAt: options.now(),
            from: fromText(from),
            lookedUp: true,
          };
      }
      const form = new URLSearchParams({
        To: to,
        Body: m.content,
        StatusCallback: `${options.statusCallbackUrl}?messageId=${encodeURIComponent(m.messageId)}`,
      });
      if ('number' in from) form.set('From', from.number);
      else form.set('MessagingServiceSid', from.messagingServiceSid);
      const result = await call(agent, base, {
        method: 'POST',
        timeoutMs: options.timeoutMs,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
      if (!result.ok)
        return { kind: 'retry', reason: `twilio: ${result.reason}`, retryAfterMs: null, uncertain: result.uncertain };
      const { status, text } = result.answer;
      if (status >= 200 && status < 300) return sentOutcome(result.answer, from);
      return classifyTwilioAnswer(status, text, result.answer.header('retry-after'), options.now());
    },
    close: () => agent.close(),
  };
}
