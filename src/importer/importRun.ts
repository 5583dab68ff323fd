// One Lobstr run, imported from where it stands: its pages fetched in order and ingested through
// the same path as POST /v1/ads (validateAds, then AdScraped), the next page stored with each page's
// ads in one transaction, so that a crash resumes at the next page and no page is ingested twice.
//
// How a run ends: a run Lobstr refuses (404 unknown or deleted, 401...) is failed with the reason and
// the importer moves on; one Lobstr cannot serve now (5xx, timeouts) gets a next attempt by due time,
// like a message; after MAX_RUN_ATTEMPTS it is failed. A lease keeps two importers off one run; an
// importer that finds another advanced its run meanwhile rolls its page back (a WriteConflict: applied
// again, it finds the run leased, or further on). Stopping is Interrupted: no attempt is counted, the
// run resumes at its next page once the lease ends.
import type { Db } from '../db/knex.js';
import type { NewAd } from '../domain/types.js';
import type { Outbox } from '../outbox/enqueue.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import { backoffDelay } from '../platform/retry.js';
import { validateAds, type AdInput } from '../producers/ads/adInput.js';
import { ingestAds } from '../producers/ads/ingestAds.js';
import {
  advanceLobstrRun,
  claimLobstrRun,
  completeLobstrRun,
  failLobstrRun,
  retryLobstrRunLater,
  type LobstrRunRow,
} from '../sql/lobstr/lobstrRuns.js';
import { Interrupted } from '../consumers/pipeline/consumedEvent.js';
import { WriteConflict } from '../consumers/pipeline/failures.js';
import type { HandlerContext } from '../consumers/pipeline/pipeline.js';
import { LobstrRefusedError, LobstrUnavailableError, PAGE_SIZE, type LobstrClient } from './lobstrClient.js';
import { checkBrand } from '../domain/knownBrands.js';
import { describeResult, mapLobstrResult } from './mapResult.js';
import { parseResultsPage } from './resultsPage.js';
import { noPhoneWarning } from './phoneReport.js';

export interface ImportRunDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'lobstrPages' | 'lobstrRuns'>;
}

/** How long an importer holds a run between two pages. */
const LEASE_MS = 15_000;
/**
 * Attempts of a run Lobstr cannot serve before it is failed: waits of about 5 s doubling to 2 min, some
 * 10 minutes in all. A run failing longer than that is not coming back by itself (a key refused, an
 * unreachable API): the run says why in the console and the log, and the importer stops calling for it.
 */
export const MAX_RUN_ATTEMPTS = 10;
const RETRY_BACKOFF = { baseMs: 5_000, maxMs: 120_000 };

export type Outcome = 'done' | 'failed' | 'retrying' | 'busy';

/** Imports what is left of a run, if this importer can lease it; says how it ended. */
export async function importRun(
  deps: ImportRunDeps,
  lobstr: LobstrClient,
  runId: string,
  hc: Pick<HandlerContext, 'log' | 'isRunning' | 'heartbeat'>,
): Promise<Outcome> {
  const log = hc.log.child({ runId });
  const claimed = await claimLobstrRun(deps.db, runId, LEASE_MS);
  if (!claimed) return 'busy'; // done, failed, waiting for its next attempt, or another importer has it
  const trigger = claimed.trigger ?? 'webhook';
  // Brands LeBonCoin wrote that its list (src/domain/leboncoinBrands.json) lacks: said once per run.
  const unknownBrands = new Set<string>();
  try {
    const run = await importPages(deps, lobstr, claimed, log, hc, unknownBrands);
    await completeLobstrRun(deps.db, runId, deps.clock.now());
    deps.metrics.lobstrRuns.inc({ outcome: 'done', trigger });
    const results = run.ads_received + run.results_skipped;
    const summary = {
      ads: run.ads_received,
      skipped: run.results_skipped,
      pages: run.total_pages,
      trigger,
      withPhone: run.results_with_phone,
      mobileDisagreements: run.mobile_disagreements,
      fields: run.result_fields,
    };
    log.info(summary, 'Lobstr run imported');
    if (unknownBrands.size > 0)
      log.warn(
        { brands: [...unknownBrands].slice(0, 20) },
        'brands of this run that src/domain/leboncoinBrands.json does not list: no hunt can name them until the list has them',
      );
    // Once per run: the run completes once (its lease), whatever the restarts on the way.
    if (results > 0 && run.results_with_phone === 0)
      log.warn({ results, fields: run.result_fields }, noPhoneWarning({ fields: run.result_fields }));
    return 'done';
  } catch (error) {
    if (error instanceof LobstrRefusedError) {
      await failLobstrRun(deps.db, runId, error.message, deps.clock.now());
      deps.metrics.lobstrRuns.inc({ outcome: 'failed', trigger });
      log.error({ status: error.status, reason: error.message }, 'Lobstr run failed: Lobstr refused it; moving on');
      return 'failed';
    }
    if (error instanceof LobstrUnavailableError) return retryOrGiveUp(deps, claimed, error, log, trigger);
    throw error;
  }
}

/** A run Lobstr cannot serve now: its next attempt by due time, or failed once its attempts are used up. */
async function retryOrGiveUp(
  deps: ImportRunDeps,
  claimed: LobstrRunRow,
  error: LobstrUnavailableError,
  log: HandlerContext['log'],
  trigger: NonNullable<LobstrRunRow['trigger']>,
): Promise<Outcome> {
  const runId = claimed.run_id;
  if (claimed.attempts + 1 >= MAX_RUN_ATTEMPTS) {
    const minutes = Math.round((deps.clock.now().getTime() - claimed.created_at.getTime()) / 60_000);
    await failLobstrRun(
      deps.db,
      runId,
      `gave up after ${MAX_RUN_ATTEMPTS} attempts in ${minutes} min: ${error.message}`,
      deps.clock.now(),
    );
    deps.metrics.lobstrRuns.inc({ outcome: 'failed', trigger });
    log.error(
      { reason: error.message, attempts: MAX_RUN_ATTEMPTS },
      'Lobstr run failed: Lobstr unavailable for too long',
    );
    return 'failed';
  }
  const now = deps.clock.now();
  const delay = Math.max(backoffDelay(claimed.attempts + 1, RETRY_BACKOFF), error.retryAfterMs ?? 0);
  await retryLobstrRunLater(deps.db, runId, { at: new Date(now.getTime() + delay), reason: error.message, now });
  deps.metrics.lobstrRuns.inc({ outcome: 'retrying', trigger });
  log.warn(
    { reason: error.message, attempt: claimed.attempts + 1, retryInMs: delay },
    'Lobstr unavailable for this run; it is retried later, the next runs go on',
  );
  return 'retrying';
}

async function importPages(
  deps: ImportRunDeps,
  lobstr: LobstrClient,
  claimed: LobstrRunRow,
  log: HandlerContext['log'],
  hc: Pick<HandlerContext, 'isRunning' | 'heartbeat'>,
  unknownBrands: Set<string>,
): Promise<LobstrRunRow> {
  const runId = claimed.run_id;
  const cause = claimed.event_id ? { eventId: claimed.event_id, correlationId: claimed.event_id } : undefined;
  let run = claimed;
  if (run.next_page > 1) log.info({ page: run.next_page }, 'resuming Lobstr run');
  while (run.total_pages === null || run.next_page <= run.total_pages) {
    // Stopping is no failure of Lobstr's: no attempt is counted, the run resumes at this page (its lease ends).
    if (!hc.isRunning()) throw new Interrupted();
    const page = run.next_page;
    const body = await lobstr.fetchResultsPage(runId, page, { log, ...hc });
    const { results, totalPages, totalResults } = parseResultsPage(body);
    const { ads, skipped, withPhone, fields, disagreements } = mapPage(deps, results, page, log, unknownBrands);
    const pages = totalPages ?? (results.length < PAGE_SIZE ? page : null);
    const before = run;
    run = await deps.db.transaction(async (trx) => {
      await ingestAds(trx, deps.outbox, ads, { now: deps.clock.now(), ...(cause ? { cause } : {}) });
      const updated = await advanceLobstrRun(trx, runId, page, {
        totalPages: pages,
        totalResults,
        ads: ads.length,
        skipped,
        withPhone,
        mobileDisagreements: disagreements.length,
        fields: [...fields],
        now: deps.clock.now(),
        leaseMs: LEASE_MS,
      });
      // Another importer advanced this run meanwhile: roll back this page's ads (it ingested them). Applied
      // again, the import finds the run leased by that importer, or further on.
      if (!updated) throw new WriteConflict(`run ${runId} page ${page} was imported concurrently`);
      return updated;
    });
    deps.metrics.lobstrPages.inc();
    // The first page with a disagreement says so; the count for the whole run is in 'Lobstr run imported'.
    if (before.mobile_disagreements === 0 && disagreements.length > 0) {
      log.warn(
        { page, disagreements: disagreements.length, examples: disagreements.slice(0, 3) },
        "Lobstr's is_mobile disagrees with libphonenumber on some numbers of this run; libphonenumber decides who can get an SMS",
      );
    }
    log.info(
      { page, pages, ads: run.ads_received, skipped: run.results_skipped },
      `page ${page}/${pages ?? '?'}, ${run.ads_received} ads`,
    );
    await hc.heartbeat();
    if (results.length === 0) break;
  }
  return run;
}

/** A page's results as ads: mapped, then checked as POST /v1/ads checks them; what was skipped and why, logged. */
function mapPage(
  deps: ImportRunDeps,
  results: ReturnType<typeof parseResultsPage>['results'],
  page: number,
  log: HandlerContext['log'],
  unknownBrands: Set<string>,
) {
  const mappedAds: AdInput[] = [];
  let skipped = 0;
  let withPhone = 0;
  const fields = new Set<string>();
  const disagreements: Array<{ resultId: string; lobstrSaysMobile: boolean }> = [];
  for (const result of results) {
    const described = describeResult(result);
    for (const f of described.fields) fields.add(f);
    if (described.hasPhone) withPhone++;
    const mapped = mapLobstrResult(result);
    if (!mapped.ok) {
      skipped++;
      log.warn({ page, resultId: mapped.id, reason: mapped.reason }, 'Lobstr result skipped: cannot be mapped');
      continue;
    }
    const ad: AdInput = mapped.ad;
    if (ad.brand && !checkBrand(ad.adType, ad.brand).known) unknownBrands.add(ad.brand);
    // libphonenumber decides (the matcher asks it); a disagreement is reported below, once per run.
    if (mapped.phoneCheck && mapped.phoneCheck.lobstrSaysMobile !== mapped.phoneCheck.libphonenumberSaysMobile) {
      disagreements.push({ resultId: ad.externalId, lobstrSaysMobile: mapped.phoneCheck.lobstrSaysMobile });
    }
    mappedAds.push(ad);
  }
  // The checks of POST /v1/ads, the same function: an ad the API would refuse is not imported either.
  const ads: NewAd[] = [];
  for (const [i, check] of validateAds(mappedAds, { now: deps.clock.now() }).entries()) {
    if (check.ok) ads.push(check.ad);
    else {
      skipped++;
      log.warn(
        { page, resultId: mappedAds[i]!.externalId, reason: `${check.field} ${check.problem}` },
        'Lobstr result skipped: invalid ad',
      );
    }
  }
  return { ads, skipped, withPhone, fields, disagreements };
}
