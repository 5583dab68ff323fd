// What the importer says about the results Lobstr gives it: which fields the last run returned, and
// whether they carry phone numbers. Only Lobstr's "Leboncoin Listings & Phone Search Export" scraper
// returns `phone` (and `is_mobile`); with the plain "Leboncoin Listings Search Export" every lead stays
// `nouveau` with `no_phone` and nobody is ever contacted, which nothing else would say.
import type { Db } from '../db/knex.js';
import type { Logger } from '../platform/logger.js';
import { selectLastImportedLobstrRun, type ImportedLobstrRun } from '../sql/lobstr/selectLastImportedLobstrRun.js';
import { selectLobstrSquids } from '../sql/lobstr/selectLobstrSquids.js';

export const PHONE_SCRAPER = 'Leboncoin Listings & Phone Search Export';
export const PLAIN_SCRAPER = 'Leboncoin Listings Search Export';

/** The warning of a run none of whose results carries a phone, naming the scraper to configure. */
export function noPhoneWarning(run: { fields: string[] }): string {
  const why = run.fields.includes('phone')
    ? 'its results have a phone field, but empty'
    : 'its results have no phone field';
  return `Lobstr run without a single phone number (${why}): none of its sellers can be contacted by SMS or WhatsApp. Configure the squid with Lobstr's "${PHONE_SCRAPER}" scraper ("${PLAIN_SCRAPER}" returns no phone)`;
}

export interface ImporterReport {
  lastRun: {
    runId: string;
    squid: string | null;
    trigger: string;
    completedAt: string;
    results: number;
    resultsWithPhone: number;
    mobileDisagreements: number;
    fields: string[];
  } | null;
  /** ok: the last run carried phones; none: it carried none (see warning); unknown: no run imported yet. */
  phones: 'ok' | 'none' | 'unknown';
  warning?: string;
  reconcile: {
    everyMs: number;
    squids: Array<{
      squid: string;
      lastPassAt: string | null;
      nextPassAt: string | null;
      lastError: string | null;
      runsFound: number;
    }>;
  };
}

export async function importerReport(
  db: Db,
  reconcile: { squids: string[]; everyMs: number },
): Promise<ImporterReport> {
  const [last, squids] = await Promise.all([selectLastImportedLobstrRun(db), selectLobstrSquids(db, reconcile.squids)]);
  const byId = new Map(squids.map((s) => [s.squid, s]));
  const phones = last === undefined ? 'unknown' : last.results_with_phone > 0 ? 'ok' : 'none';
  return {
    lastRun: last === undefined ? null : describeRun(last),
    phones,
    ...(phones === 'none' && last ? { warning: noPhoneWarning({ fields: last.result_fields }) } : {}),
    reconcile: {
      everyMs: reconcile.everyMs,
      squids: reconcile.squids.map((squid) => {
        const s = byId.get(squid);
        return {
          squid,
          lastPassAt: s?.last_pass_at?.toISOString() ?? null,
          nextPassAt: s?.next_pass_at.toISOString() ?? null,
          lastError: s?.last_error ?? null,
          runsFound: s?.runs_found ?? 0,
        };
      }),
    },
  };
}

/** At start: what the last run returned, so that a wrong scraper shows in the first lines of the log. */
export async function logLastRun(db: Db, log: Logger): Promise<void> {
  const last = await selectLastImportedLobstrRun(db);
  if (last === undefined) {
    log.info(`no Lobstr run imported yet; results need a phone, which Lobstr's "${PHONE_SCRAPER}" scraper returns`);
    return;
  }
  const run = describeRun(last);
  if (last.results_with_phone === 0) log.warn(run, noPhoneWarning(run));
  else
    log.info(
      run,
      `the last Lobstr run returned ${run.fields.length} fields, ${run.resultsWithPhone} of its ${run.results} results with a phone`,
    );
}

function describeRun(r: ImportedLobstrRun): NonNullable<ImporterReport['lastRun']> {
  return {
    runId: r.run_id,
    squid: r.squid,
    trigger: r.trigger ?? 'webhook',
    completedAt: r.completed_at.toISOString(),
    results: r.ads_received + r.results_skipped,
    resultsWithPhone: r.results_with_phone,
    mobileDisagreements: r.mobile_disagreements,
    fields: r.result_fields,
  };
}
