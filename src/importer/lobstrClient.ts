// Lobstr's results API, as the importer reads it: one page of a run, at Lobstr's rate. What an answer
// means: 2xx a page; 429 wait (Retry-After) and ask again; 408, 5xx, timeouts and network errors a few
// quick tries, then LobstrUnavailableError (the run is retried later, by due time); any other 4xx
// LobstrRefusedError (401 a wrong key, 404 an unknown or deleted run: asking again will not help).
import pThrottle from 'p-throttle';
import type { HandlerContext } from '../consumers/pipeline/pipeline.js';
import { backoffDelay, waitWhile } from '../platform/retry.js';

export const PAGE_SIZE = 100;
/** Quick tries of a page before the run waits for a later attempt. */
const PAGE_ATTEMPTS = 3;
/** A Retry-After longer than this is not waited out in place: the run is retried later. */
const MAX_WAIT_IN_PLACE_MS = 10_000;

export interface LobstrConfig {
  apiUrl: string;
  apiKey: string;
  requestsPerSecond: number;
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

/** Lobstr cannot serve now; try the run again later (no sooner than `retryAfterMs` when it says). */
export class LobstrUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'LobstrUnavailableError';
  }
}

export interface LobstrClient {
  fetchResultsPage(runId: string, page: number, hc: Pick<HandlerContext, 'log' | 'isRunning' | 'heartbeat'>): Promise<unknown>;
}

export function createLobstrClient(config: LobstrConfig): LobstrClient {
  // Lobstr allows LOBSTR_REQUESTS_PER_SECOND per API key; every request of this process goes through here.
  // Spaced 10% wider than the limit: requests leave on time but arrive with network jitter, and one
  // arriving a millisecond early would be a 429 (and a second's wait).
  const throttle = pThrottle({ limit: 1, interval: Math.ceil(1100 / config.requestsPerSecond) });
  const get = throttle((url: string) => fetch(url, { headers: { authorization: `Token ${config.apiKey}` }, signal: AbortSignal.timeout(30_000) }));

  return {
    async fetchResultsPage(runId, page, hc) {
      const url = `${config.apiUrl}/v1/results?run=${encodeURIComponent(runId)}&page=${page}&limit=${PAGE_SIZE}&page_size=${PAGE_SIZE}`;
      let lastError = '';
      let rateLimited = 0;
      for (let attempt = 1; ; attempt++) {
        let wait = backoffDelay(attempt, { baseMs: 500, maxMs: 5_000 });
        let retryAfterMs: number | null = null;
        try {
          const response = await get(url);
          if (response.ok) return await response.json();
          lastError = `HTTP ${response.status} ${(await response.text().catch(() => '')).slice(0, 200)}`.trim();
          if (response.status === 429) {
            const seconds = Number(response.headers.get('retry-after'));
            retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
            if (retryAfterMs !== null && retryAfterMs > MAX_WAIT_IN_PLACE_MS) throw new LobstrUnavailableError(`Lobstr asks to wait ${retryAfterMs} ms: ${lastError}`, retryAfterMs);
            wait = retryAfterMs ?? wait;
            // A rate limit is not a failure of the page, unless it never ends.
            if (++rateLimited > 20) throw new LobstrUnavailableError(`Lobstr kept answering 429: ${lastError}`, null);
            attempt--;
          } else if (response.status < 500 && response.status !== 408) {
            throw new LobstrRefusedError(response.status, `Lobstr refused page ${page} of run ${runId}: ${lastError}`);
          }
        } catch (error) {
          if (error instanceof LobstrRefusedError || error instanceof LobstrUnavailableError) throw error;
          lastError = (error as Error).message;
        }
        if (attempt >= PAGE_ATTEMPTS) throw new LobstrUnavailableError(`Lobstr page ${page} of run ${runId} failed ${PAGE_ATTEMPTS} times: ${lastError}`, null);
        hc.log.warn({ page, attempt, retryInMs: wait, error: lastError }, 'Lobstr page failed; retrying');
        await waitWhile(wait, { keepWaiting: hc.isRunning, everyMs: 1000, tick: hc.heartbeat });
        if (!hc.isRunning()) throw new LobstrUnavailableError('stopping during a Lobstr import; it resumes later', 0);
      }
    },
  };
}
