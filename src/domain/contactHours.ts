// Contact hours (docs/ARCHITECTURE.md section 1): the local window in which a hunt's messages may be sent, the
// next opening of that window after a given instant, and when an open window closes. Local means the
// seller's: the time zone and the holiday calendar of their number's region (src/domain/sellerZone.ts).
// Pure: the zone and the instant come in.
import { localTime, zonedToInstant } from './calendar.js';
import { isPublicHoliday } from './holidays.js';

/**
 * ISO weekdays (1 = Monday … 7 = Sunday) and local times "HH:MM", `from` inclusive, `to` exclusive.
 * Public holidays (of the seller's region) are closed, as operators hold commercial SMS on them,
 * unless `holidays` is true (the window is open on a holiday that falls on one of its days).
 */
export interface ContactHours {
  days: number[];
  from: string;
  to: string;
  holidays?: boolean;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** What is wrong with a window, as [field, problem] (field relative to the window), or null when it is valid. */
export function contactHoursProblem(w: ContactHours): [string, string] | null {
  if (w.days.length === 0) return ['days', 'must name at least one ISO weekday (1 = Monday … 7 = Sunday)'];
  const bad = w.days.findIndex((d) => !Number.isInteger(d) || d < 1 || d > 7);
  if (bad >= 0) return [`days/${bad}`, 'must be an ISO weekday from 1 (Monday) to 7 (Sunday)'];
  if (new Set(w.days).size !== w.days.length) return ['days', 'must not repeat a day'];
  if (!HH_MM.test(w.from)) return ['from', 'must be a local time HH:MM (24h), e.g. 08:00'];
  if (!HH_MM.test(w.to)) return ['to', 'must be a local time HH:MM (24h), e.g. 20:00'];
  if (minutesOf(w.to) <= minutesOf(w.from)) return ['to', `must be after from (${w.from})`];
  return null;
}

/**
 * CONTACT_HOURS_DEFAULT: "always" (no window, null), or "<days> <from>-<to>" where days are ISO
 * weekdays as ranges and lists: "1-6 08:00-20:00" (Monday to Saturday), "1-5,7 09:30-19:00"; a
 * trailing "holidays" opens the window on public holidays too ("1-6 08:00-20:00 holidays").
 * Returns the window, or a problem to report.
 */
export function parseContactHours(
  text: string,
): { ok: true; value: ContactHours | null } | { ok: false; problem: string } {
  const s = text.trim();
  if (s.toLowerCase() === 'always') return { ok: true, value: null };
  const m = /^([1-7](?:-[1-7])?(?:,[1-7](?:-[1-7])?)*)\s+(\d{2}:\d{2})-(\d{2}:\d{2})(\s+holidays)?$/i.exec(s);
  if (!m)
    return {
      ok: false,
      problem: 'must be "always" or "<ISO weekdays> <HH:MM>-<HH:MM> [holidays]", e.g. "1-6 08:00-20:00"',
    };
  const days = new Set<number>();
  for (const part of m[1]!.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number) as [number, number?];
    if (hi! < lo) return { ok: false, problem: `day range ${part} goes backwards` };
    for (let d = lo; d <= hi!; d++) days.add(d);
  }
  const value: ContactHours = {
    days: [...days].sort((a, b) => a - b),
    from: m[2]!,
    to: m[3]!,
    ...(m[4] ? { holidays: true } : {}),
  };
  const problem = contactHoursProblem(value);
  return problem ? { ok: false, problem: `${problem[0]} ${problem[1]}` } : { ok: true, value };
}

/** ISO weekday (1 = Monday) of a calendar day YYYY-MM-DD. */
const isoWeekday = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
};

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Whether the window opens at all on a local calendar day: one of its weekdays, and not a closed holiday. */
const opensOn = (window: ContactHours, day: string, region: string) =>
  window.days.includes(isoWeekday(day)) && (window.holidays === true || !isPublicHoliday(day, region));

/** Whether `at` is inside the window (local time in `timeZone`, holidays of `region`). */
const inside = (window: ContactHours, at: Date, timeZone: string, region: string) => {
  const local = localTime(at, timeZone);
  const minutes = local.hour * 60 + local.minute;
  return opensOn(window, local.day, region) && minutes >= minutesOf(window.from) && minutes < minutesOf(window.to);
};

/** Enough days ahead to pass any run of closed days (a one-day window whose day falls on holidays twice running). */
const LOOKAHEAD_DAYS = 22;

/**
 * The first instant at or after `at` inside the window, local time in `timeZone` with the holidays of
 * `region`: `at` itself when it is inside (or when there is no window), otherwise the next day the
 * window opens, at `from`.
 */
export function nextOpening(window: ContactHours | null, at: Date, timeZone: string, region = 'FR'): Date {
  if (!window || inside(window, at, timeZone, region)) return at;
  const local = localTime(at, timeZone);
  for (let k = 0; k <= LOOKAHEAD_DAYS; k++) {
    const day = addDays(local.day, k);
    if (!opensOn(window, day, region)) continue;
    const opening = zonedToInstant(`${day} ${window.from}`, timeZone)!;
    if (opening.getTime() > at.getTime()) return opening;
  }
  // Unreachable for a valid window (some day of the next three weeks opens after `at`).
  return at;
}

/**
 * When the window open at `at` closes (its `to`, that local day), or null when there is no window.
 * `at` must be inside the window (nextOpening returned it).
 */
export function windowCloses(window: ContactHours | null, at: Date, timeZone: string): Date | null {
  if (!window) return null;
  return zonedToInstant(`${localTime(at, timeZone).day} ${window.to}`, timeZone);
}

/**
 * The first opening on a local day after the one of `at` (a phone that was off is tried again in a
 * later window, not minutes later in the same evening); with no window, the same time the next day.
 */
export function openingOnLaterDay(window: ContactHours | null, at: Date, timeZone: string, region = 'FR'): Date {
  const nextDay = zonedToInstant(`${addDays(localTime(at, timeZone).day, 1)} 00:00`, timeZone)!;
  if (!window) return new Date(at.getTime() + 86_400_000);
  return nextOpening(window, nextDay, timeZone, region);
}
