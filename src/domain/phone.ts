// Phone numbers as sellers are known by: E.164, normalised by libphonenumber-js (Google's
// libphonenumber metadata), and whether an SMS or a WhatsApp message can reach them.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

// The overseas departments dial like metropolitan France (0692 12 34 56 from Paris reaches La Réunion)
// but have country codes of their own in E.164 (+262 692 12 34 56). A national number is therefore
// tried in their regions first: the French plan allocates each of their prefixes to one of them, and
// libphonenumber's metadata knows which.
const NATIONAL_REGIONS: CountryCode[] = ['RE', 'YT', 'GP', 'MQ', 'GF', 'BL', 'MF', 'PM', 'FR'];

const parse = (raw: string): PhoneNumber | undefined => {
  const text = raw.trim();
  if (text === '' || text.length > 40 || /[a-z]/i.test(text.replace(/ext\.?|poste/gi, ''))) return undefined;
  // "+33 (0)6 12 ..." is common in France: the (0) is the trunk prefix, not a digit of the number.
  const cleaned = text.replace(/\(0\)/g, '').replace(/^00/, '+');
  if (cleaned.startsWith('+')) {
    const p = parsePhoneNumberFromString(cleaned);
    return p?.isValid() ? p : undefined;
  }
  for (const region of NATIONAL_REGIONS) {
    const p = parsePhoneNumberFromString(cleaned, region);
    if (p?.isValid()) return p;
  }
  // "33612345678": a French number given with its country code but no "+".
  const withPlus = parsePhoneNumberFromString(`+${cleaned.replace(/\D/g, '')}`);
  return withPlus?.isValid() ? withPlus : undefined;
};

/** The number in E.164 ("06 12 34 56 78" → "+33612345678"; "0692 12 34 56" → "+262692123456"), or null when it is not a valid number. */
export function toE164(raw: string): string | null {
  return parse(raw)?.number ?? null;
}

const smsCapable = new Map<string, boolean>();

/**
 * Whether an SMS (or WhatsApp) can reach the number: mobile, or fixed-line-or-mobile where the
 * numbering plan cannot tell (e.g. US numbers). A landline, VoIP, toll-free or unknown type cannot.
 * Memoised: the matcher asks for every contactable lead.
 */
export function canReceiveSms(e164: string): boolean {
  let known = smsCapable.get(e164);
  if (known === undefined) {
    const type = parsePhoneNumberFromString(e164)?.getType();
    known = type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
    if (smsCapable.size > 100_000) smsCapable.clear();
    smsCapable.set(e164, known);
  }
  return known;
}
