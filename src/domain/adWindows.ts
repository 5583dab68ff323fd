// The windows through which the service still reads an ad after it was last scraped. An ad older than
// all of them is read by nothing but what refers to it (a lead, a contacted ad, a message): the
// retention job (src/db/retention.ts) may remove it once nothing does.

/** The longest window a hunt preview may ask for (`days` of POST /v1/hunts/preview). */
export const PREVIEW_MAX_DAYS = 90;

export interface AdWindows {
  /** BACKFILL_DAYS: what a new or changed hunt, and the daily catch-up, read. */
  backfillDays: number;
  /** CONTACT_MAX_AGE_DAYS: how old an ad may be and still have its seller contacted. */
  contactMaxAgeDays: number;
}

/** Every window that reads ads, by the name of the setting that sets it. */
export function adWindows(w: AdWindows): Array<{ name: string; days: number }> {
  return [
    { name: 'BACKFILL_DAYS', days: w.backfillDays },
    { name: 'CONTACT_MAX_AGE_DAYS', days: w.contactMaxAgeDays },
    { name: "the hunt preview's longest window", days: PREVIEW_MAX_DAYS },
  ];
}

/** The longest of them: the shortest time an ad must be kept. */
export function longestAdWindow(w: AdWindows): { name: string; days: number } {
  return adWindows(w).reduce((a, b) => (b.days > a.days ? b : a));
}
