// Brevo's transactional SMS events (https://developers.brevo.com/docs/transactional-webhooks, "Transactional
// SMS events"): JSON posts such as {"id", "to", "sms_count", "credits_used", "messageId",
// "remaining_credit", "msg_status", "date", "type", "reference", "tag"}, where msg_status names the
// event (sent, accepted, delivered, soft_bounce, hard_bounce …) and a reply carries its text in
// "reply" (as the SMS events report of GET /v3/transactionalSMS/statistics/events does). Brevo does
// not sign these posts: they carry a secret of ours (BREVO_WEBHOOK_SECRET, in the URL we give Brevo).
// Event names are read loosely (soft_bounce, softBounce and softBounces are one event), since Brevo
// writes them differently in its webhook and report pages; an unknown one is acknowledged and ignored.
import { zonedToInstant } from '../../domain/calendar.js';
import { isOptInText, isOptOutText } from '../../domain/optOutText.js';
import { toE164 } from '../../domain/phone.js';
import type { ProviderCallback } from '../provider.js';
import type { ParamProblem } from '../twilio/twilioCallbacks.js';

const name = (value: unknown) => (typeof value === 'string' ? value.toLowerCase().replace(/[^a-z]/g, '') : '');

const DELIVERED = new Set(['delivered']);
/** Each final event that is not a delivery, by its loose name, as src/providers/failureCodes.ts names it. */
const UNDELIVERED = new Map([
  ['softbounce', 'soft_bounce'],
  ['softbounces', 'soft_bounce'],
  ['hardbounce', 'hard_bounce'],
  ['hardbounces', 'hard_bounce'],
  ['bounces', 'hard_bounce'],
  ['bounce', 'hard_bounce'],
  ['rejected', 'rejected'],
  ['blocked', 'blocked'],
  ['blacklisted', 'blocked'],
  ['skip', 'skip'],
  ['skipped', 'skip'],
  ['error', 'error'],
]);
const REPLIED = new Set(['replied', 'reply', 'replies']);
const UNSUBSCRIBED = new Set(['unsubscribe', 'unsubscribed', 'unsubscription']);
const SUBSCRIBED = new Set(['subscribe', 'subscribed', 'subscription']);

/** When the event happened: ts_epoch (ms, UTC), ts_event (s, UTC), or date ("2026-12-02 10:21:33", Paris time, or ISO 8601). */
const dateOf = (body: Record<string, unknown>, now: Date): Date => {
  const ms =
    typeof body.ts_epoch === 'number' ? body.ts_epoch : typeof body.ts_event === 'number' ? body.ts_event * 1000 : null;
  if (ms !== null && Number.isFinite(ms)) return new Date(ms);
  const date = typeof body.date === 'string' ? zonedToInstant(body.date, 'Europe/Paris') : null;
  return date ?? now;
};

/** One Brevo SMS event, read; `query` is what our webUrl added (our message id). */
export function parseBrevoEvent(
  body: Record<string, unknown>,
  query: { messageId?: string },
  now: Date,
): ProviderCallback | ParamProblem {
  const event = name(body.msg_status ?? body.event);
  if (!event) return ['msg_status', 'is required: the name of the SMS event'];
  const externalId =
    typeof body.messageId === 'number' || typeof body.messageId === 'string' ? String(body.messageId) : null;
  if (externalId !== null && !/^[0-9A-Za-z_-]{1,64}$/.test(externalId))
    return ['messageId', 'must be the id Brevo gave the SMS'];
  const at = dateOf(body, now);
  const receipt = receiptOfEvent(
    event,
    {
      messageId: query.messageId ?? null,
      externalId,
      reason:
        typeof body.description === 'string' ? body.description : typeof body.reason === 'string' ? body.reason : null,
    },
    at,
  );
  if (receipt) return receipt;
  if (REPLIED.has(event) || UNSUBSCRIBED.has(event) || SUBSCRIBED.has(event)) {
    const from = typeof body.to === 'string' ? toE164(body.to.startsWith('+') ? body.to : `+${body.to}`) : null;
    if (!from) return ['to', 'must be the phone number of the seller (with its country code)'];
    const text = typeof body.reply === 'string' ? body.reply : typeof body.text === 'string' ? body.text : '';
    if (text.length > 5000) return ['reply', 'must be 5,000 characters at most'];
    const optOut =
      UNSUBSCRIBED.has(event) || isOptOutText(text)
        ? 'stop'
        : SUBSCRIBED.has(event) || isOptInText(text)
          ? 'start'
          : null;
    // A reply has no id of its own in Brevo's events: the event's id and date, or the SMS's, make one.
    const providerMessageId = `brevo:${externalId ?? 'none'}:${event}:${at.getTime()}:${hash(text)}`;
    return {
      kind: 'inbound',
      providerMessageId,
      from,
      to: null,
      text,
      optOut,
      at,
      inReplyTo: { messageId: query.messageId ?? null, externalId },
    };
  }
  return { kind: 'ignored', what: event };
}

/**
 * The receipt a final SMS event makes (a delivery, or a bounce, a rejection … with its event as the
 * code of src/providers/failureCodes.ts and its reason as the recorded error), or null for an event
 * that is not final. The webhook's posts and the events report both read through it.
 */
export function receiptOfEvent(
  eventName: string,
  sms: { messageId: string | null; externalId: string | null; reason: string | null },
  at: Date,
): ProviderCallback | null {
  const event = name(eventName);
  const base = { kind: 'receipt' as const, messageId: sms.messageId, externalId: sms.externalId, at };
  if (DELIVERED.has(event)) return { ...base, status: 'delivered', errorCode: null, finalCode: null };
  const code = UNDELIVERED.get(event);
  if (code) return { ...base, status: 'undelivered', errorCode: sms.reason ?? code, finalCode: code };
  return null;
}

/** A short stable hash of a text (FNV-1a), to tell two replies of one second apart. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}
