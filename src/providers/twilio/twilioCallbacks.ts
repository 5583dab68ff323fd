// Twilio's callbacks (https://www.twilio.com/docs/usage/webhooks/webhooks-security): status callbacks
// of the messages we sent and inbound messages, form-encoded posts signed with X-Twilio-Signature
// (HMAC-SHA1 over the full URL and the sorted parameters, keyed with the auth token). The signature is
// checked with the twilio package's own validateRequest, against the URL Twilio was given
// (PUBLIC_BASE_URL + path + query), never the one this process happens to listen on. Twilio adds
// parameters without notice: every parameter is tolerated, the ones read here are checked.
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse.js';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { isOptInText, isOptOutText } from '../../domain/optOutText.js';
import { toE164 } from '../../domain/phone.js';
import type { ProviderCallback } from '../provider.js';

export type TwilioParams = Record<string, string>;

export const verifyTwilioSignature = (
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioParams,
): boolean =>
  typeof signature === 'string' && signature.length > 0 && validateRequest(authToken, signature, url, params);

/** What a problem with a callback's parameters is, as [parameter, problem], or null. */
export type ParamProblem = [string, string];

const SID = /^(SM|MM|IM)[0-9a-f]{32}$/i;

/**
 * A status callback. Final: delivered, read (WhatsApp) and partially_delivered (some segments reached
 * the phone: the seller got the message) are delivered; undelivered and failed are not, with their
 * ErrorCode; canceled (a scheduled message cancelled) is not either. The rest changes nothing.
 */
export function parseTwilioStatus(
  params: TwilioParams,
  query: { messageId?: string },
  now: Date,
): ProviderCallback | ParamProblem {
  const sid = params.MessageSid ?? params.SmsSid;
  if (!sid || !SID.test(sid)) return ['MessageSid', 'must be a Message SID (SM… or MM…)'];
  const status = params.MessageStatus ?? params.SmsStatus;
  if (!status) return ['MessageStatus', 'is required'];
  const errorCode = params.ErrorCode ?? null;
  if (errorCode !== null && !/^\d{1,6}$/.test(errorCode)) return ['ErrorCode', 'must be a Twilio error code'];
  const base = { messageId: query.messageId ?? null, externalId: sid, at: now };
  switch (status) {
    case 'delivered':
    case 'read':
    case 'partially_delivered':
      return { kind: 'receipt', ...base, status: 'delivered', errorCode: null, finalCode: null };
    case 'undelivered':
    case 'failed':
      return { kind: 'receipt', ...base, status: 'undelivered', errorCode, finalCode: errorCode };
    case 'canceled':
      return { kind: 'receipt', ...base, status: 'undelivered', errorCode: 'canceled', finalCode: 'canceled' };
    case 'queued':
    case 'accepted':
    case 'scheduled':
    case 'sending':
    case 'sent':
    case 'receiving':
    case 'received':
      return { kind: 'ignored', what: status };
    default:
      return ['MessageStatus', `is not a status Twilio documents (got "${status.slice(0, 40)}")`];
  }
}

/** An inbound message: its sender in E.164 (without whatsapp:), our number it reached, the text, and whether it opts out or in. */
export function parseTwilioInbound(params: TwilioParams, now: Date): ProviderCallback | ParamProblem {
  const sid = params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid;
  if (!sid || !SID.test(sid)) return ['MessageSid', 'must be a Message SID (SM… or MM…)'];
  const rawFrom = params.From ?? '';
  const from = toE164(rawFrom.replace(/^whatsapp:/i, ''));
  if (!from) return ['From', 'must be a phone number (E.164, or whatsapp:+E.164)'];
  const text = params.Body ?? '';
  if (text.length > 5000) return ['Body', 'must be 5,000 characters at most'];
  const type = (params.OptOutType ?? '').toUpperCase();
  const optOut =
    type === 'STOP' || (type === '' && isOptOutText(text))
      ? 'stop'
      : type === 'START' || (type === '' && isOptInText(text))
        ? 'start'
        : null;
  return { kind: 'inbound', providerMessageId: sid, from, to: params.To ?? null, text, optOut, at: now };
}

/** The answer Twilio expects to an inbound message: TwiML, here an empty <Response/> (no automatic reply). */
export const EMPTY_TWIML = new MessagingResponse().toString();
