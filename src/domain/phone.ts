// Phone numbers as sellers are known by: E.164, normalised by libphonenumber-js (Google's
// libphonenumber metadata), and whether an SMS or a WhatsApp message can reach them.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

// The overseas departments dial like metropolitan France (0692 12 34 56 from Paris reaches La Réunion)
// but have country codes of their own in E.164 (+262 692 12 34 56). A French national number is
// therefore tried under their calling codes too (the French plan allocates each of their prefixes to
// one of them, and libphonenumber's metadata knows which), and the first that is valid wins. Where
// both plans claim a prefix (0269: Mayotte, also a valid metropolitan 02), the overseas one wins: the
// overseas codes go first for numbers starting 2, 5, 8 or 9, where their fixed lines and VoIP live;
// +33 goes first for 1, 3, 4, 6 and 7, where only metropolitan numbers are valid in +33 (069x and
// 0639 are not), which keeps the common case to one parse. Parsing "+33…" costs a fraction of
// parsing "06…" with a default region, which matters at 1,000 ads per request.
const OVERSEAS_FIRST = ['262', '590', '594', '596', '508', '33'];
const METROPOLITAN_FIRST = ['33', '262', '590', '594', '596', '508'];
const FRENCH_NATIONAL = /^0?([1-9]\d{8})$/;

const valid = (text: string, region?: CountryCode): PhoneNumber | undefined => {
  const p = region ? parsePhoneNumberFromString(text, region) : parsePhoneNumberFromString(text);
  return p?.isValid() ? p : undefined;
};

const parse = (raw: string): PhoneNumber | undefined => {
  const text = raw.trim();
  if (text === '' || text.length > 40 || /[a-z]/i.test(text)) return undefined;
  // "+33 (0)6 12 ..." is common in France: the (0) is the trunk prefix, not a digit of the number.
  const cleaned = text.replace(/\(0\)/g, '').replace(/^00/, '+');
  if (cleaned.startsWith('+')) return valid(cleaned);
  const national = FRENCH_NATIONAL.exec(cleaned.replace(/[\s.\-/()\u00a0]/g, ''))?.[1];
  if (national) {
    for (const code of /^[13467]/.test(national) ? METROPOLITAN_FIRST : OVERSEAS_FIRST) {
      const p = valid(`+${code}${national}`);
      if (p) return p;
    }
    return undefined;
  }
  // Anything else written nationally is read as French; "33612345678" is a French number without its "+".
  return valid(cleaned, 'FR') ?? valid(`+${cleaned.replace(/\D/g, '')}`);
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
