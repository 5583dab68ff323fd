// How the importer reads the loosely typed values of Lobstr's answers (numbers as strings, booleans as
// Python or CSV write them, wall-clock times without a zone). Pure, and never throws.
import { zonedToInstant } from '../domain/calendar.js';
import { toE164 } from '../domain/phone.js';

type Raw = Record<string, unknown>;

const PARIS = 'Europe/Paris';

export function parseJsonText(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return null;
  }
}

export function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null;
}

export function text(v: unknown, maxLength = Infinity): string | null {
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) return null;
  const s = String(v).trim();
  return s === '' ? null : s.slice(0, maxLength);
}

export const clip = (s: string | null, maxLength: number) => (s === null ? null : s.slice(0, maxLength));

/** A value worth showing: not a bare code like "2". */
export const word = (s: string | undefined) => (s !== undefined && /\p{L}/u.test(s) ? s : null);

/**
 * A non-negative whole number from 12500, "12500", "12 500 €", "120 000 km", "12.500", "12500,50"; null
 * for anything else, negatives and values above `max` included.
 */
export function wholeNumber(v: unknown, max = Number.MAX_SAFE_INTEGER): number | null {
  let n: number | null = null;
  if (typeof v === 'number' && Number.isFinite(v)) n = v;
  else if (typeof v === 'string') {
    const s = v.replace(/[\s\u00a0\u202f]/g, '').replace(/(€|eur|euros?|km)$/i, '');
    if (/^\d{1,3}([.,]\d{3})+$/.test(s)) n = Number(s.replace(/[.,]/g, ''));
    else if (/^\d+([.,]\d+)?$/.test(s)) n = Number(s.replace(',', '.'));
  }
  if (n === null || n < 0) return null;
  const whole = Math.round(n);
  return whole <= max ? whole : null;
}

export function decimal(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !/^\s*-?\d+([.,]\d+)?\s*$/.test(v)) return null;
  return Number(v.trim().replace(',', '.'));
}

/** Both coordinates, or neither: half a position is no position. */
export function coordinates(latValue: unknown, lngValue: unknown): [number | null, number | null] {
  const lat = decimal(latValue);
  const lng = decimal(lngValue);
  if (lat === null || lng === null || Math.abs(lat) > 90 || Math.abs(lng) > 180) return [null, null];
  return [lat, lng];
}

/** "69003" stays; 6000 (a number that lost its leading zero) becomes "06000"; anything else is null. */
export function postalCode(v: unknown): string | null {
  const s = text(v);
  if (s === null) return null;
  if (/^\d{4}$/.test(s)) return `0${s}`;
  return /^\d{5}$/.test(s) ? s : null;
}

/** A phone number in E.164 (src/domain/phone.ts toE164), or null when there is none or it cannot be read. */
export function phoneNumber(v: unknown): string | null {
  const raw = text(v);
  return raw === null ? null : toE164(raw);
}

export function httpUrl(v: unknown): string | null {
  const s = text(v);
  return s !== null && /^https?:\/\//i.test(s) && s.length <= 2000 ? s : null;
}

/** http(s) URLs from a list, JSON text of a list, or a comma-separated string: at most `max`, the others dropped. */
export function httpUrls(v: unknown, max: number): string[] {
  const parsed = parseJsonText(v);
  const list = Array.isArray(parsed) ? parsed : typeof parsed === 'string' ? parsed.split(',') : [];
  return list
    .map(httpUrl)
    .filter((p): p is string => p !== null)
    .slice(0, max);
}

/** Booleans as JSON, CSV or Python write them: true, 1, "true", "True", "1", "oui". */
export function flag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  return typeof v === 'string' && ['true', '1', 'yes', 'oui'].includes(v.trim().toLowerCase());
}

/** A boolean when the value says one (true/false, 1/0, "true"/"false"...), null when it says nothing. */
export function optionalFlag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (['true', '1', 'yes', 'oui'].includes(s)) return true;
  if (['false', '0', 'no', 'non'].includes(s)) return false;
  return null;
}

const WALL_CLOCK =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A date-time as ISO 8601 UTC; a wall-clock time without offset is read in `zone`. Null if unreadable. */
export function instant(v: unknown, zone: 'paris' | 'utc'): string | null {
  const s = text(v);
  const m = s === null ? null : WALL_CLOCK.exec(s);
  if (s === null || m === null) return null;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const year = Number(m[1]);
  // 31 February and friends would roll over into another day: refuse rather than invent a date.
  const realDay =
    month >= 1 && month <= 12 && day >= 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
  if (!realDay || hour > 23 || minute > 59 || second > 59) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
  let date: Date | null;
  if (m[7] !== undefined) date = new Date(`${iso}${m[7].length === 5 ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : m[7]}`);
  else date = zone === 'utc' ? new Date(`${iso}Z`) : zonedToInstant(iso, PARIS);
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const parisInstant = (v: unknown) => instant(v, 'paris');
export const utcInstant = (v: unknown) => instant(v, 'utc');
