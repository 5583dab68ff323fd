// Where a seller lives, as far as contact hours go: the time zone and the public-holiday calendar of
// the region their number belongs to. A French overseas number keeps its own country code in E.164
// (+590 Guadeloupe, +596 Martinique, +594 Guyane, +262 La Réunion and Mayotte, +687 New Caledonia,
// +689 French Polynesia …), and libphonenumber's metadata names the region of each prefix (+262 269
// is Mayotte, +262 692 La Réunion). An 8 p.m. limit is 8 p.m. where the phone rings.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface SellerZone {
  /** IANA time zone. */
  timeZone: string;
  /** ISO 3166 code of the holiday calendar (FR, RE, GP …). */
  region: string;
}

/** French regions and their time zones (French Polynesia: Tahiti's, where nearly all its numbers are). */
const ZONES: Record<string, string> = {
  FR: 'Europe/Paris',
  RE: 'Indian/Reunion',
  YT: 'Indian/Mayotte',
  GP: 'America/Guadeloupe',
  MQ: 'America/Martinique',
  GF: 'America/Cayenne',
  BL: 'America/St_Barthelemy',
  MF: 'America/Marigot',
  PM: 'America/Miquelon',
  NC: 'Pacific/Noumea',
  PF: 'Pacific/Tahiti',
  WF: 'Pacific/Wallis',
};

const known = new Map<string, SellerZone>();

/**
 * The zone of a phone (E.164): its French region's, or `fallback` (TICK_TIME_ZONE with metropolitan
 * holidays) for a number of any other country, or one that is not a phone (a LeBonCoin listing id).
 */
export function sellerZoneOf(recipient: string, fallback: string): SellerZone {
  const key = `${fallback}\u0000${recipient}`;
  const cached = known.get(key);
  if (cached) return cached;
  const country = recipient.startsWith('+') ? parsePhoneNumberFromString(recipient)?.country : undefined;
  const timeZone = country ? ZONES[country] : undefined;
  const zone = timeZone ? { timeZone, region: country! } : { timeZone: fallback, region: 'FR' };
  if (known.size > 100_000) known.clear();
  known.set(key, zone);
  return zone;
}
