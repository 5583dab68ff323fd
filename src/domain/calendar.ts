// Calendar days and local times in a time zone (Europe/Paris): a tick is one per local day.

export interface LocalTime {
  /** YYYY-MM-DD in the time zone. */
  day: string;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** The tick of the local day of `at` is due once the local time reaches `tickAt`. */
export function dueTickDay(at: Date, tickAt: { hour: number; minute: number }, timeZone: string): string | null {
  const local = localTime(at, timeZone);
  return local.hour * 60 + local.minute >= tickAt.hour * 60 + tickAt.minute ? local.day : null;
}

export const tickIdOf = (day: string) => `daily:${day}`;

/** A real calendar day YYYY-MM-DD (no 2026-02-30), within the years this service can have ticks for. */
export const isCalendarDay = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) &&
  Number(s.slice(0, 4)) >= FIRST_YEAR &&
  Number(s.slice(0, 4)) <= LAST_YEAR &&
  !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
  new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** The years dates are accepted in (ticks, ads' publication and scraping times). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

/**
 * A wall-clock time in a time zone ("2026-11-28 10:21:33" in Europe/Paris) as an instant. Strings
 * with an explicit offset or Z are taken as they are.
 */
export function zonedToInstant(text: string, timeZone: string): Date | null {
  const trimmed = text.trim();
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(trimmed)) {
    const d = new Date(trimmed);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(trimmed);
  if (!m) return null;
  const asUtc = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  // The zone's offset at that moment; a second pass settles the hours around a clock change.
  let guess = asUtc - offsetMs(new Date(asUtc), timeZone);
  guess = asUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function offsetMs(at: Date, timeZone: string): number {
  const local = localTime(at, timeZone);
  const seconds = at.getUTCSeconds();
  const wall = Date.UTC(
    Number(local.day.slice(0, 4)),
    Number(local.day.slice(5, 7)) - 1,
    Number(local.day.slice(8, 10)),
    local.hour,
    local.minute,
    seconds,
  );
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}
