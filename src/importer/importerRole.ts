// The importer role, both a consumer and a producer: for each LobstrRunCompleted (lobstr.runs) it
// pages through the run's results and ingests them page by page through the same path as POST
// /v1/ads (AdScraped). The next page to fetch is stored with the page's ads, in one transaction, so a
// crash resumes at the next page and no page is ingested twice. The import runs as the pipeline's
// outside-transaction stage (it calls Lobstr); the run is marked done with the inbox row.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Db } from '../db/knex.js';
import { causeOf } from '../events/envelope.js';
import type { Outbox } from '../outbox/enqueue.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { RoleHandle } from '../platform/roleHandle.js';
import { adInputSchema, type AdInput } from '../producers/ads/adInput.js';
import { ingestAds } from '../producers/ads/ingestAds.js';
import { insertLobstrRun } from '../sql/insertLobstrRun.js';
import { advanceLobstrRun, completeLobstrRun, loadLobstrRun, markLobstrRunImporting } from '../sql/lobstrRuns.js';
import { TransientError } from '../consumers/pipeline/failures.js';
import type { ConsumedEvent, HandlerContext, StartConsumer } from '../consumers/pipeline/pipeline.js';
import { createLobstrClient, PAGE_SIZE, type LobstrClient, type LobstrConfig } from './lobstrClient.js';
import { mapLobstrResult, parseResultsPage } from './mapResult.js';

export interface ImporterDeps {
  db: Db;
  consume: StartConsumer;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'lobstrPages'>;
  lobstr: LobstrConfig;
}

const ajv = new Ajv({ allErrors: false, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validateAd = ajv.compile<AdInput>(adInputSchema);

export async function startImporter(deps: ImporterDeps): Promise<RoleHandle> {
  const lobstr = createLobstrClient(deps.lobstr);
  return deps.consume({
    name: 'importer',
    topics: ['lobstr.runs'],
    eventTypes: ['LobstrRunCompleted'],
    batchSize: 1,
    stage: {
      name: 'import Lobstr run',
      run: async (events, hc) => {
        for (const event of events) await importRun(deps, lobstr, event, hc);
      },
      settle: async (trx, events) => {
        for (const e of events) await completeLobstrRun(trx, e.value.runId, deps.clock.now());
      },
    },
  });
}

async function importRun(deps: ImporterDeps, lobstr: LobstrClient, event: ConsumedEvent<'LobstrRunCompleted'>, hc: HandlerContext) {
  const { runId } = event.value;
  const log = hc.log.child({ runId });
  await insertLobstrRun(deps.db, runId, event.value.squid);
  let run = (await loadLobstrRun(deps.db, runId))!;
  if (run.status === 'done') return;
  if (run.status === 'pending') await markLobstrRunImporting(deps.db, runId, deps.clock.now());
  if (run.next_page > 1) log.info({ page: run.next_page }, 'resuming Lobstr run');

  while (run.total_pages === null || run.next_page <= run.total_pages) {
    if (!hc.isRunning()) throw new TransientError('stopping during a Lobstr import; it resumes at the next page');
    const page = run.next_page;
    const body = await lobstr.fetchResultsPage(runId, page, hc);
    const { results, totalPages, totalResults } = parseResultsPage(body);
    const ads: AdInput[] = [];
    let skipped = 0;
    for (const result of results) {
      const mapped = mapLobstrResult(result);
      if (!mapped.ok) {
        skipped++;
        log.warn({ page, resultId: mapped.id, reason: mapped.reason }, 'Lobstr result skipped: cannot be mapped');
        continue;
      }
      const ad: AdInput = mapped.ad;
      if (validateAd(ad)) {
        ads.push(ad);
      } else {
        skipped++;
        const e = validateAd.errors?.[0];
        log.warn({ page, resultId: mapped.ad.externalId, reason: `${e?.instancePath ?? ''} ${e?.message ?? 'invalid'}` }, 'Lobstr result skipped: invalid ad');
      }
    }
    const pages = totalPages ?? (results.length < PAGE_SIZE ? page : null);
    run = await deps.db.transaction(async (trx) => {
      await ingestAds(trx, deps.outbox, ads, { now: deps.clock.now(), cause: causeOf(event) });
      const updated = await advanceLobstrRun(trx, runId, page, { totalPages: pages, totalResults, ads: ads.length, skipped, now: deps.clock.now() });
      // Another importer advanced this run meanwhile: roll back this page's ads (it ingested them).
      if (!updated) throw new TransientError(`run ${runId} page ${page} was imported concurrently`);
      return updated;
    });
    deps.metrics.lobstrPages.inc();
    log.info({ page, pages, ads: run.ads_received, skipped: run.results_skipped }, `page ${page}/${pages ?? '?'}, ${run.ads_received} ads`);
    await hc.heartbeat();
    if (results.length === 0) break;
  }
  log.info({ ads: run.ads_received, skipped: run.results_skipped, pages: run.total_pages }, 'Lobstr run imported');
}
