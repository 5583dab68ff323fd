// Who an SMS comes from, and what that allows. French operators do not carry business (A2P) traffic
// from French mobile numbers (06, 07): it must come from an alphanumeric sender ID (one-way: nobody
// can answer it) or a short code (two-way). So the STOP mention every commercial SMS ends with must
// work for the sender it goes out from: "Répondez STOP" is a way out only where a reply arrives; from
// an alphanumeric sender, the mention must name where to send STOP (a short code, a number, or
// Brevo's [STOP_CODE], which Brevo replaces with its own opt-out short code).
import { toE164 } from './phone.js';

export type SmsSender =
  /** A phone number, E.164: two-way. */
  | { kind: 'number'; value: string }
  /** A short code (4 to 6 digits; 5 in France): two-way where the operator routes replies, as for STOP. */
  | { kind: 'shortCode'; value: string }
  /** An alphanumeric sender ID (3 to 11 letters, digits or spaces, at least one letter): one-way. */
  | { kind: 'alphanumeric'; value: string }
  /** A Twilio Messaging Service (MG…): its pool picks the sender. */
  | { kind: 'messagingService'; value: string };

const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{3,11}$/;

/** A sender as TWILIO_FROM, BREVO_SENDER or an account's senderNumbers give it, or null when it is none of the kinds. */
export function parseSmsSender(text: string): SmsSender | null {
  const s = text.trim();
  if (/^MG[0-9a-f]{32}$/i.test(s)) return { kind: 'messagingService', value: s };
  if (s.startsWith('+')) {
    const e164 = toE164(s);
    return e164 ? { kind: 'number', value: e164 } : null;
  }
  if (/^\d{4,6}$/.test(s)) return { kind: 'shortCode', value: s };
  const digits = s.replace(/[\s.\-()]/g, '');
  // A French number written nationally ("07 57 00 00 11"), or a number with its country code and no "+".
  if (/^0\d{9}$/.test(digits)) {
    const e164 = toE164(s);
    return e164 ? { kind: 'number', value: e164 } : null;
  }
  if (/^\d{7,15}$/.test(digits)) {
    const e164 = toE164(`+${digits}`);
    return e164 ? { kind: 'number', value: e164 } : null;
  }
  if (ALPHANUMERIC.test(s) && s === s.replace(/\s{2,}/g, ' ')) return { kind: 'alphanumeric', value: s };
  return null;
}

/**
 * Whether a seller can answer an SMS from this sender (null: a generic gateway's own sender, which
 * posts sellers' messages back). A Messaging Service counts as two-way: its pool has numbers or short
 * codes; a pool whose only French sender is an alphanumeric ID is one-way, which Twilio's console shows.
 */
export const repliesPossible = (sender: SmsSender | null): boolean => sender?.kind !== 'alphanumeric';

/** A French mobile number (06, 07): French operators do not carry business SMS from one. */
export const isFrenchMobile = (sender: SmsSender | null): boolean =>
  sender?.kind === 'number' && /^\+33[67]/.test(sender.value);

/** Brevo's placeholder for its opt-out short code, as its API reference writes it. */
export const BREVO_STOP_CODE = '[STOP_CODE]';

const HAS_STOP = /(^|[^\p{L}\p{N}])STOP([^\p{L}\p{N}]|$)/iu;
const SHORT_CODE = /(^|[^\d+])\d{5}([^\d]|$)/;
const PHONE = /\+?\d[\d .]{7,18}\d/g;

/**
 * What is wrong with an opt-out mention for SMS from `sender` through `provider`, or null when a
 * seller can use it: it holds the word STOP; [STOP_CODE] only where Brevo replaces it; and from an
 * alphanumeric sender (which nobody can answer), it names where to send STOP.
 */
export function optOutMentionProblem(
  mention: string,
  sender: SmsSender | null,
  provider: 'http' | 'twilio' | 'brevo',
): string | null {
  if (!HAS_STOP.test(mention)) return 'must hold the word STOP: the free way to refuse every commercial SMS must give';
  if (/\[STOP CODE\]/i.test(mention))
    return `writes "[STOP CODE]": Brevo replaces ${BREVO_STOP_CODE} (with an underscore), as its API reference writes it`;
  const stopCode = mention.includes(BREVO_STOP_CODE);
  if (stopCode && provider !== 'brevo')
    return `holds ${BREVO_STOP_CODE}, which only Brevo replaces, and SMS go through ${provider} (MESSAGE_PROVIDERS)`;
  if (sender?.kind !== 'alphanumeric') return null;
  const namesANumber = [...mention.matchAll(PHONE)].some((m) => toE164(m[0]) !== null);
  if (stopCode || SHORT_CODE.test(mention) || namesANumber) return null;
  return `cannot work from the alphanumeric sender "${sender.value}", which nobody can answer: name where to send STOP, a short code ("STOP au 36123") or a number${provider === 'brevo' ? `, or ${BREVO_STOP_CODE} ("STOP au ${BREVO_STOP_CODE}")` : ''}`;
}
