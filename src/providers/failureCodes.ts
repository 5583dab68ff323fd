// What a provider's error code means for a message, for both providers and both moments (the answer
// to a send request, and a failed or undelivered status callback after it): one table, the same in
// docs/providers.md (a unit test holds them together). Three effects:
//   - fail: the message is given up as a refusal at send time is (failed, contacted ad and seller
//     released, lead back to nouveau with the reason, MessageFailed permanent with the code); a
//     WhatsApp message whose hunt has an SMS fallback gets it when `smsFallback`;
//   - later: the phone was off or out of reach: tried once more in a later contact window, then
//     undeliverable;
//   - hold: the account's or the deployment's problem, not the message's: sending is held (for the
//     account when the setting is its own, its sender; for the provider when it is the deployment's)
//     and the message stays pending (src/sql/holds/holdSending.ts).
// Twilio's codes: https://www.twilio.com/docs/api/errors; Brevo's SMS events:
// https://developers.brevo.com/docs/transactional-webhooks (SMS events).

/** Why a message that reached no seller is given up: the lead's reason. */
export const FAILURE_REASONS = ['not_mobile', 'opted_out', 'not_on_whatsapp', 'undeliverable'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const HOLD_REASONS = [
  'credentials',
  'region_not_enabled',
  'sender_not_allowed',
  'whatsapp_sender_unknown',
  'no_credits',
  'carrier_filtering',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export type CodeEffect =
  | { effect: 'fail'; reason: FailureReason; smsFallback: boolean }
  | { effect: 'later' }
  /** `sender`: the account's when it sent from a sender of its own, the provider's otherwise. */
  | { effect: 'hold'; scope: 'provider' | 'sender'; reason: HoldReason };

export interface FailureCode {
  provider: 'twilio' | 'brevo';
  /** Twilio's error code; Brevo's SMS event name or HTTP status. */
  code: string;
  /** What the provider says it means. */
  meaning: string;
  effect: CodeEffect;
}

const fail = (reason: FailureReason, smsFallback = false): CodeEffect => ({ effect: 'fail', reason, smsFallback });
const hold = (scope: 'provider' | 'sender', reason: HoldReason): CodeEffect => ({ effect: 'hold', scope, reason });

/** Carrier filtering (Twilio 30007): fails its message, and 5 of an account's last 50 hold the account. */
export const CARRIER_FILTERING = { provider: 'twilio', code: '30007', limit: 5, of: 50 } as const;

export const FAILURE_CODES: readonly FailureCode[] = [
  { provider: 'twilio', code: '30003', meaning: 'Unreachable destination handset', effect: { effect: 'later' } },
  { provider: 'twilio', code: '30004', meaning: 'Message blocked (by the recipient)', effect: fail('opted_out') },
  { provider: 'twilio', code: '30005', meaning: 'Unknown destination handset', effect: fail('not_mobile') },
  { provider: 'twilio', code: '30006', meaning: 'Landline or unreachable carrier', effect: fail('not_mobile') },
  { provider: 'twilio', code: '30007', meaning: 'Message filtered (carrier violation)', effect: fail('undeliverable') },
  { provider: 'twilio', code: '30008', meaning: 'Unknown error', effect: fail('undeliverable') },
  { provider: 'twilio', code: '21211', meaning: "Invalid 'To' phone number", effect: fail('not_mobile') },
  {
    provider: 'twilio',
    code: '21614',
    meaning: "'To' number is not a valid mobile number",
    effect: fail('not_mobile'),
  },
  { provider: 'twilio', code: '21635', meaning: "'To' number cannot be a landline", effect: fail('not_mobile') },
  {
    provider: 'twilio',
    code: '21610',
    meaning: 'Attempt to send to unsubscribed recipient',
    effect: fail('opted_out'),
  },
  {
    provider: 'twilio',
    code: '63003',
    meaning: 'Channel could not find To address (not a WhatsApp user)',
    effect: fail('not_on_whatsapp', true),
  },
  {
    provider: 'twilio',
    code: '63024',
    meaning: 'Invalid message recipient (not a WhatsApp user)',
    effect: fail('not_on_whatsapp', true),
  },
  {
    provider: 'twilio',
    code: '63016',
    meaning: 'Free-form message outside the 24-hour window: a template is required',
    effect: fail('undeliverable', true),
  },
  { provider: 'twilio', code: '21655', meaning: 'The ContentSid is invalid', effect: fail('undeliverable', true) },
  {
    provider: 'twilio',
    code: '21656',
    meaning: 'The ContentVariables parameter is invalid',
    effect: fail('undeliverable', true),
  },
  {
    provider: 'twilio',
    code: '63027',
    meaning: 'Template does not exist for a language and locale',
    effect: fail('undeliverable', true),
  },
  {
    provider: 'twilio',
    code: '63028',
    meaning: 'Number of template parameters does not match',
    effect: fail('undeliverable', true),
  },
  { provider: 'twilio', code: '20003', meaning: 'Authentication failed', effect: hold('provider', 'credentials') },
  {
    provider: 'twilio',
    code: '21408',
    meaning: "Permission to send an SMS has not been enabled for the region of the 'To' number",
    effect: hold('provider', 'region_not_enabled'),
  },
  {
    provider: 'twilio',
    code: '21606',
    meaning: "The 'From' number is not a valid, message-capable Twilio number for this destination",
    effect: hold('sender', 'sender_not_allowed'),
  },
  {
    provider: 'twilio',
    code: '21212',
    meaning: "Invalid 'From' number (not a number, short code or alphanumeric sender ID)",
    effect: hold('sender', 'sender_not_allowed'),
  },
  {
    provider: 'twilio',
    code: '21659',
    meaning: "'From' is not a Twilio number or short code of this account",
    effect: hold('sender', 'sender_not_allowed'),
  },
  {
    provider: 'twilio',
    code: '63007',
    meaning: 'Twilio could not find a WhatsApp sender (Channel) with the From address',
    effect: hold('sender', 'whatsapp_sender_unknown'),
  },
  {
    provider: 'brevo',
    code: 'hard_bounce',
    meaning: 'The number does not exist or cannot receive SMS',
    effect: fail('not_mobile'),
  },
  {
    provider: 'brevo',
    code: 'soft_bounce',
    meaning: 'The phone was off or out of reach',
    effect: { effect: 'later' },
  },
  {
    provider: 'brevo',
    code: 'blocked',
    meaning: 'The number is on the account’s SMS blocklist',
    effect: fail('opted_out'),
  },
  { provider: 'brevo', code: 'rejected', meaning: 'Brevo rejected the SMS', effect: fail('undeliverable') },
  { provider: 'brevo', code: 'skip', meaning: 'Brevo skipped the SMS', effect: fail('undeliverable') },
  { provider: 'brevo', code: 'error', meaning: 'Brevo could not send the SMS', effect: fail('undeliverable') },
  {
    provider: 'brevo',
    code: 'HTTP 400',
    meaning: 'Invalid recipient (a 400 naming the recipient or number)',
    effect: fail('not_mobile'),
  },
  { provider: 'brevo', code: 'HTTP 401', meaning: 'The API key is unknown', effect: hold('provider', 'credentials') },
  { provider: 'brevo', code: 'HTTP 402', meaning: 'Not enough SMS credits', effect: hold('provider', 'no_credits') },
  {
    provider: 'brevo',
    code: 'HTTP 403',
    meaning: 'The key may not send SMS (permissions, IP not authorised)',
    effect: hold('provider', 'credentials'),
  },
];

const byCode = new Map(FAILURE_CODES.map((c) => [`${c.provider}:${c.code}`, c.effect]));

/** Any final code the table does not name. */
export const UNDELIVERABLE: CodeEffect = fail('undeliverable');

/** What a provider's final code means for its message; a code the table does not name is undeliverable. */
export const effectOf = (provider: string, code: string | null): CodeEffect =>
  (code !== null ? byCode.get(`${provider}:${code}`) : undefined) ?? UNDELIVERABLE;

/** Whether a provider's code is in the table (a code it does not name is undeliverable at a callback, and refused as is at send time). */
export const isKnownCode = (provider: string, code: string): boolean => byCode.has(`${provider}:${code}`);
