// Lobstr's API, as the importer reads it: a page of a run's results, a squid's runs, one run; every
// request within the key's budget shared by all importers (src/importer/rateBudget.ts). What an answer
// means: 2xx the body; 429 every importer of the key waits (Retry-After) and this one asks again; 408,
// 5xx, timeouts and network errors a few quick tries, then LobstrUnavailableError (the work is retried
// later, by due time); any other 4xx LobstrRefusedError (401 a wrong key, 404 an unknown or deleted run
// or squid: asking again will not help). The process stopping meanwhile is Interrupted: Lobstr did
// nothing wrong, the work resumes where it was, and no attempt is counted. X-RateLimit-Remaining and X-RateLimit-Reset, when Lobstr sends
// them, slow every importer of the key down before the limit (src/importer/rateLimitHeaders.ts).
import { Interrupted } from '../consumers/pipeline/consumedEvent.js';
import type { HandlerContext } from '../consumers/pipeline/pipeline.js';
import { backoffDelay, waitWhile } from '../platform/retry.js';
import type { LobstrBudget } from './rateBudget.js';
import { rateLimitPauseMs, retryAfterMs } from './rateLimitHeaders.js';

export const PAGE_SIZE = 100;
/** Quick tries of a request before the work waits for a later attempt. */
const ATTEMPTS = 3;
/** A wait longer than this (Retry-After, or the shared budget held) is not waited out in place: the work is retried later. */
const MAX_WAIT_IN_PLACE_MS = 10_000;

export interface LobstrConfig {
  apiUrl: string;
  apiKey: string;
  requestsPerSecond: number;
  /** Sent as User-Agent, so that Lobstr (and the tests' stand-in) can tell the importers apart. */
  userAgent?: string;
}

/** Lobstr refused for good (a 4xx other than 408 and 429). */
export class LobstrRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LobstrRefusedError';
  }
}

/** Lobstr cannot serve now; try the work again later (no sooner than `retryAfterMs` when it says). */
export class LobstrUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'LobstrUnavailableError';
  }
}

export type LobstrContext = Pick<HandlerContext, 'log' | 'isRunning' | 'heartbeat'>;

export interface LobstrClient {
  fetchResultsPage(runId: string, page: number, hc: LobstrContext): Promise<unknown>;
  /** GET /v1/runs?squid=: a page of the squid's runs, newest first. */
  listRuns(squid: string, page: number, hc: LobstrContext): Promise<unknown>;
  /** GET /v1/runs/<hash>. */
  getRun(runId: string, hc: LobstrContext): Promise<unknown>;
}

export function createLobstrClient(config: LobstrConfig, budget: LobstrBudget): LobstrClient {
  const headers = {
    authorization: `Token ${config.apiKey}`,
    ...(config.userAgent ? { 'user-agent': config.userAgent } : {}),
  };

  // Node loads its fetch on the first call, which takes a while on a loaded machine: loaded
  // here, before any slot is taken, so that the first request leaves on its slot, not after it.
  const fetchLoaded = fetch('data:,')
    .then((r) => r.arrayBuffer())
    .then(
      () => undefined,
      () => undefined,
    );

  const http: LobstrHttp = { apiUrl: config.apiUrl, headers, budget, fetchLoaded };
  const get = (path: string, what: string, hc: LobstrContext) => getJson(http, path, what, hc);

  const q = encodeURIComponent;
  return {
    fetchResultsPage: (runId, page, hc) =>
      get(
        `/v1/results?run=${q(runId)}&page=${page}&limit=${PAGE_SIZE}&page_size=${PAGE_SIZE}`,
        `page ${page} of run ${runId}`,
        hc,
      ),
    listRuns: (squid, page, hc) =>
      get(
        `/v1/runs?squid=${q(squid)}&page=${page}&limit=${PAGE_SIZE}`,
        `the runs of squid ${squid} (page ${page})`,
        hc,
      ),
    getRun: (runId, hc) => get(`/v1/runs/${q(runId)}`, `run ${runId}`, hc),
  };
}

interface LobstrHttp {
  apiUrl: string;
  headers: Record<string, string>;
  budget: LobstrBudget;
  /** Resolved once Node's fetch is loaded (see createLobstrClient). */
  fetchLoaded: Promise<void>;
}

/** A GET of Lobstr's API within the key's shared budget: retried with backoff, a 429 holding every importer. */
async function getJson(c: LobstrHttp, path: string, what: string, hc: LobstrContext): Promise<unknown> {
  const { budget, headers } = c;
  const url = `${c.apiUrl}${path}`;
  await c.fetchLoaded;
  let lastError = '';
  let rateLimited = 0;
  for (let attempt = 1; ; attempt++) {
    const turn = await budget.take(hc, MAX_WAIT_IN_PLACE_MS);
    if (!turn.ok && turn.stopping) throw new Interrupted();
    if (!turn.ok)
      throw new LobstrUnavailableError(
        `Lobstr asked this key's importers to wait ${Math.round(turn.waitMs)} ms`,
        turn.waitMs,
      );
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
      await slowDownFor(budget, response.headers);
      if (response.ok) return await response.json();
      lastError = `HTTP ${response.status} ${(await response.text().catch(() => '')).slice(0, 200)}`.trim();
      if (response.status === 429) {
        // Every importer of the key waits, not only this one: the others would be 429s too.
        const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now()) ?? 1000;
        await budget.hold(retryAfter);
        if (retryAfter > MAX_WAIT_IN_PLACE_MS)
          throw new LobstrUnavailableError(`Lobstr asks to wait ${retryAfter} ms: ${lastError}`, retryAfter);
        // A rate limit is not a failure of the request, unless it never ends; the budget waits for it.
        if (++rateLimited > 20) throw new LobstrUnavailableError(`Lobstr kept answering 429: ${lastError}`, null);
        hc.log.warn({ request: what, retryInMs: retryAfter }, 'Lobstr answered 429; every importer of this key waits');
        attempt--;
        continue;
      }
      if (response.status < 500 && response.status !== 408)
        throw new LobstrRefusedError(response.status, `Lobstr refused ${what}: ${lastError}`);
    } catch (error) {
      if (error instanceof LobstrRefusedError || error instanceof LobstrUnavailableError) throw error;
      lastError = (error as Error).message;
    }
    if (attempt >= ATTEMPTS)
      throw new LobstrUnavailableError(`Lobstr ${what} failed ${ATTEMPTS} times: ${lastError}`, null);
    const wait = backoffDelay(attempt, { baseMs: 500, maxMs: 5_000 });
    hc.log.warn({ request: what, attempt, retryInMs: wait, error: lastError }, 'Lobstr request failed; retrying');
    await waitWhile(wait, { keepWaiting: hc.isRunning, everyMs: 1000, tick: hc.heartbeat });
    if (!hc.isRunning()) throw new Interrupted();
  }
}

/** What the rate-limit headers ask of every importer of the key (nothing, unless it is more than the usual spacing). */
async function slowDownFor(budget: LobstrBudget, h: Headers) {
  const pause = rateLimitPauseMs(
    { remaining: h.get('x-ratelimit-remaining'), reset: h.get('x-ratelimit-reset') },
    Date.now(),
  );
  if (pause > budget.spacingMs) await budget.hold(pause);
}
