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
/** An effect as the table writes it: `later`, `fail <reason>` (and `, SMS fallback`), `hold <scope> <reason>`. */
type EffectName =
  | 'later'
  | `fail ${FailureReason}`
  | `fail ${FailureReason}, SMS fallback`
  | `hold ${'provider' | 'sender'} ${HoldReason}`;

function effectNamed(name: EffectName): CodeEffect {
  const [kind, first, second] = name.replace(', SMS fallback', '').split(' ');
  if (kind === 'hold') return { effect: 'hold', scope: first as 'provider' | 'sender', reason: second as HoldReason };
  if (kind === 'fail') return fail(first as FailureReason, name.endsWith(', SMS fallback'));
  return { effect: 'later' };
}

const codesOf =
  (provider: FailureCode['provider']) =>
  (code: string, effect: EffectName, meaning: string): FailureCode => ({
    provider,
    code,
    meaning,
    effect: effectNamed(effect),
  });
const twilio = codesOf('twilio');
const brevo = codesOf('brevo');

/** Carrier filtering (Twilio 30007): fails its message, and 5 of an account's last 50 hold the account. */
export const CARRIER_FILTERING = { provider: 'twilio', code: '30007', limit: 5, of: 50 } as const;

// A row a line, as docs/providers.md has it.
// prettier-ignore
export const FAILURE_CODES: readonly FailureCode[] = [
  twilio('30003', 'later', 'Unreachable destination handset'),
  twilio('30004', 'fail opted_out', 'Message blocked (by the recipient)'),
  twilio('30005', 'fail not_mobile', 'Unknown destination handset'),
  twilio('30006', 'fail not_mobile', 'Landline or unreachable carrier'),
  twilio('30007', 'fail undeliverable', 'Message filtered (carrier violation)'),
  twilio('30008', 'fail undeliverable', 'Unknown error'),
  twilio('21211', 'fail not_mobile', "Invalid 'To' phone number"),
  twilio('21614', 'fail not_mobile', "'To' number is not a valid mobile number"),
  twilio('21635', 'fail not_mobile', "'To' number cannot be a landline"),
  twilio('21610', 'fail opted_out', 'Attempt to send to unsubscribed recipient'),
  twilio('63003', 'fail not_on_whatsapp, SMS fallback', 'Channel could not find To address (not a WhatsApp user)'),
  twilio('63024', 'fail not_on_whatsapp, SMS fallback', 'Invalid message recipient (not a WhatsApp user)'),
  twilio('63016', 'fail undeliverable, SMS fallback', 'Free-form message outside the 24-hour window: a template is required'),
  twilio('21655', 'fail undeliverable, SMS fallback', 'The ContentSid is invalid'),
  twilio('21656', 'fail undeliverable, SMS fallback', 'The ContentVariables parameter is invalid'),
  twilio('63027', 'fail undeliverable, SMS fallback', 'Template does not exist for a language and locale'),
  twilio('63028', 'fail undeliverable, SMS fallback', 'Number of template parameters does not match'),
  twilio('20003', 'hold provider credentials', 'Authentication failed'),
  twilio('21408', 'hold provider region_not_enabled', "Permission to send an SMS has not been enabled for the region of the 'To' number"),
  twilio('21606', 'hold sender sender_not_allowed', "The 'From' number is not a valid, message-capable Twilio number for this destination"),
  twilio('21212', 'hold sender sender_not_allowed', "Invalid 'From' number (not a number, short code or alphanumeric sender ID)"),
  twilio('21659', 'hold sender sender_not_allowed', "'From' is not a Twilio number or short code of this account"),
  twilio('63007', 'hold sender whatsapp_sender_unknown', 'Twilio could not find a WhatsApp sender (Channel) with the From address'),
  brevo('hard_bounce', 'fail not_mobile', 'The number does not exist or cannot receive SMS'),
  brevo('soft_bounce', 'later', 'The phone was off or out of reach'),
  brevo('blocked', 'fail opted_out', 'The number is on the account’s SMS blocklist'),
  brevo('rejected', 'fail undeliverable', 'Brevo rejected the SMS'),
  brevo('skip', 'fail undeliverable', 'Brevo skipped the SMS'),
  brevo('error', 'fail undeliverable', 'Brevo could not send the SMS'),
  brevo('HTTP 400', 'fail not_mobile', 'Invalid recipient (a 400 naming the recipient or number)'),
  brevo('HTTP 401', 'hold provider credentials', 'The API key is unknown'),
  brevo('HTTP 402', 'hold provider no_credits', 'Not enough SMS credits'),
  brevo('HTTP 403', 'hold provider credentials', 'The key may not send SMS (permissions, IP not authorised)'),
];

const byCode = new Map(FAILURE_CODES.map((c) => [`${c.provider}:${c.code}`, c.effect]));

/** Any final code the table does not name. */
export const UNDELIVERABLE: CodeEffect = fail('undeliverable');

/** What a provider's final code means for its message; a code the table does not name is undeliverable. */
export const effectOf = (provider: string, code: string | null): CodeEffect =>
  (code !== null ? byCode.get(`${provider}:${code}`) : undefined) ?? UNDELIVERABLE;

/** Whether a provider's code is in the table (a code it does not name is undeliverable at a callback, and refused as is at send time). */
export const isKnownCode = (provider: string, code: string): boolean => byCode.has(`${provider}:${code}`);
