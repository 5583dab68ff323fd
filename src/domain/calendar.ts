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
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
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

export const isCalendarDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
