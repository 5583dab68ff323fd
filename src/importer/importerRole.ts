// The importer role: for each LobstrRunCompleted, pages through the run's results and ingests them
// page by page through the same path as POST /v1/ads. The next page to fetch is stored with the page's
// ads, in one transaction, so a crash resumes at the next page and no page is ingested twice.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import pThrottle from 'p-throttle';
import { TransientError } from '../consumers/pipeline/failures.js';
import { backoffDelay } from '../platform/retry.js';
import { startConsumer, type ConsumedEvent, type HandlerContext } from '../consumers/pipeline/pipeline.js';
import { causeOf } from '../events/envelope.js';
import type { RoleHandle, ServiceContext } from '../service.js';
import { adInputSchema, type AdInput } from '../producers/ads/adInput.js';
import { ingestAds } from '../producers/ads/ingestAds.js';
import { mapLobstrResult, parseResultsPage } from './mapResult.js';

export const PAGE_SIZE = 100;
const PAGE_ATTEMPTS = 5;

interface RunRow {
  run_id: string;
  status: 'pending' | 'importing' | 'done';
  next_page: number;
  total_pages: number | null;
  ads_received: number;
  results_skipped: number;
}

const ajv = new Ajv({ allErrors: false, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validateAd = ajv.compile<AdInput>(adInputSchema);

export async function startImporter(ctx: ServiceContext): Promise<RoleHandle> {
  // Lobstr allows LOBSTR_REQUESTS_PER_SECOND per API key; every request of this process goes through here.
  // Spaced 10% wider than the limit: requests leave on time but arrive with network jitter, and one
  // arriving a millisecond early would be a 429 (and a second's wait).
  const throttle = pThrottle({ limit: 1, interval: Math.ceil(1100 / ctx.config.lobstr.requestsPerSecond) });
  const get = throttle((url: string) => fetch(url, { headers: { authorization: `Token ${ctx.config.lobstr.apiKey}` }, signal: AbortSignal.timeout(30_000) }));

  return startConsumer(ctx.pipeline, {
    name: 'importer',
    topics: ['lobstr.runs'],
    eventTypes: ['LobstrRunCompleted'],
    batchSize: 1,
    prepare: (event, hc) => importRun(ctx, event, hc, get),
    handle: async (trx, events) => {
      for (const e of events) await trx('lobstr_runs').where({ run_id: e.value.runId }).update({ status: 'done', completed_at: ctx.clock.now(), updated_at: ctx.clock.now() });
    },
  });
}

async function importRun(ctx: ServiceContext, event: ConsumedEvent<'LobstrRunCompleted'>, hc: HandlerContext, get: (url: string) => Promise<Response>) {
  const { runId } = event.value;
  const log = hc.log.child({ runId });
  await ctx.db('lobstr_runs').insert({ run_id: runId, squid: event.value.squid }).onConflict('run_id').ignore();
  let run = (await ctx.db('lobstr_runs').where({ run_id: runId }).first()) as RunRow;
  if (run.status === 'done') return;
  if (run.status === 'pending') await ctx.db('lobstr_runs').where({ run_id: runId }).update({ status: 'importing', updated_at: ctx.clock.now() });
  if (run.next_page > 1) log.info({ page: run.next_page }, 'resuming Lobstr run');

  while (run.total_pages === null || run.next_page <= run.total_pages) {
    if (!hc.isRunning()) throw new TransientError('stopping during a Lobstr import; it resumes at the next page');
    const page = run.next_page;
    const body = await fetchPage(ctx, get, runId, page, hc);
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
    run = await ctx.db.transaction(async (trx) => {
      await ingestAds(trx, ctx.outbox, ads, { now: ctx.clock.now(), cause: causeOf(event) });
      const [updated] = (await trx('lobstr_runs')
        .where({ run_id: runId, next_page: page })
        .update({
          next_page: page + 1,
          total_pages: pages,
          total_results: totalResults,
          ads_received: trx.raw('ads_received + ?', [ads.length]),
          results_skipped: trx.raw('results_skipped + ?', [skipped]),
          updated_at: ctx.clock.now(),
        })
        .returning('*')) as RunRow[];
      // Another importer advanced this run meanwhile: roll back this page's ads (it ingested them).
      if (!updated) throw new TransientError(`run ${runId} page ${page} was imported concurrently`);
      return updated;
    });
    ctx.metrics.lobstrPages.inc();
    log.info({ page, pages, ads: run.ads_received, skipped: run.results_skipped }, `page ${page}/${pages ?? '?'}, ${run.ads_received} ads`);
    await hc.heartbeat();
    if (results.length === 0) break;
  }
  log.info({ ads: run.ads_received, skipped: run.results_skipped, pages: run.total_pages }, 'Lobstr run imported');
}

/** One page, honouring 429 Retry-After and retrying server errors a few times before giving up for now. */
async function fetchPage(ctx: ServiceContext, get: (url: string) => Promise<Response>, runId: string, page: number, hc: HandlerContext): Promise<unknown> {
  const url = `${ctx.config.lobstr.apiUrl}/v1/results?run=${encodeURIComponent(runId)}&page=${page}&limit=${PAGE_SIZE}&page_size=${PAGE_SIZE}`;
  let lastError = '';
  for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
    let wait = backoffDelay(attempt, { baseMs: 500, maxMs: 15_000 });
    try {
      const response = await get(url);
      if (response.ok) return await response.json();
      lastError = `HTTP ${response.status} ${(await response.text().catch(() => '')).slice(0, 200)}`;
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter >= 0) wait = retryAfter * 1000;
      } else if (response.status < 500 && response.status !== 408) {
        // 401, 404...: retrying now will not help; the run is retried later by the pipeline.
        throw new TransientError(`Lobstr refused page ${page} of run ${runId}: ${lastError}`);
      }
    } catch (error) {
      if (error instanceof TransientError) throw error;
      lastError = (error as Error).message;
    }
    hc.log.warn({ page, attempt, retryInMs: wait, error: lastError }, 'Lobstr page failed; retrying');
    const until = Date.now() + wait;
    while (Date.now() < until && hc.isRunning()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
      await hc.heartbeat();
    }
  }
  throw new TransientError(`Lobstr page ${page} of run ${runId} failed ${PAGE_ATTEMPTS} times: ${lastError}`);
}
