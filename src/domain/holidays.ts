// French public holidays (metropolitan France), on which commercial SMS are held: from date-holidays'
// kept calendar (Easter-dependent days included), not a list of our own to maintain.
import Holidays from 'date-holidays';

const france = new Holidays('FR');
const cache = new Map<number, Set<string>>();

/** The public holidays of a year, as local calendar days YYYY-MM-DD. */
function holidaysOf(year: number): Set<string> {
  let days = cache.get(year);
  if (!days) {
    days = new Set(
      france
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    cache.set(year, days);
  }
  return days;
}

/** Whether a local calendar day (YYYY-MM-DD) is a public holiday in metropolitan France. */
export const isPublicHoliday = (day: string): boolean => holidaysOf(Number(day.slice(0, 4))).has(day);
