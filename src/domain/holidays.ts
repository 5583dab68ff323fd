// Public holidays, on which commercial SMS are held, per French region: metropolitan France and each
// overseas one keeps its own calendar (Abolition of slavery on 27 April in Mayotte, 22 May in
// Martinique, 20 December in La Réunion …). From date-holidays' kept calendars (Easter-dependent days
// included), not lists of our own to maintain.
import Holidays from 'date-holidays';

const calendars = new Map<string, Holidays>();
const cache = new Map<string, Set<string>>();

/** The public holidays of a year in a region (ISO 3166 code: FR, RE, GP …), as local calendar days YYYY-MM-DD. */
function holidaysOf(region: string, year: number): Set<string> {
  const key = `${region}:${year}`;
  let days = cache.get(key);
  if (!days) {
    let calendar = calendars.get(region);
    if (!calendar) {
      calendar = new Holidays(region);
      calendars.set(region, calendar);
    }
    days = new Set(
      calendar
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    cache.set(key, days);
  }
  return days;
}

/** Whether a local calendar day (YYYY-MM-DD) is a public holiday in `region` (metropolitan France by default). */
export const isPublicHoliday = (day: string, region = 'FR'): boolean =>
  holidaysOf(region, Number(day.slice(0, 4))).has(day);
