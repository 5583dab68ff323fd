// Lobstr's results API, as the importer reads it: one page of a run, at Lobstr's rate, honouring 429
// Retry-After and retrying server errors a few times before giving up for now.
import pThrottle from 'p-throttle';
import { TransientError } from '../consumers/pipeline/failures.js';
import type { HandlerContext } from '../consumers/pipeline/pipeline.js';
import { backoffDelay, waitWhile } from '../platform/retry.js';

export const PAGE_SIZE = 100;
const PAGE_ATTEMPTS = 5;

export interface LobstrConfig {
  apiUrl: string;
  apiKey: string;
  requestsPerSecond: number;
}

export interface LobstrClient {
  fetchResultsPage(runId: string, page: number, hc: HandlerContext): Promise<unknown>;
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
        await waitWhile(wait, { keepWaiting: hc.isRunning, everyMs: 1000, tick: hc.heartbeat });
      }
      throw new TransientError(`Lobstr page ${page} of run ${runId} failed ${PAGE_ATTEMPTS} times: ${lastError}`);
    },
  };
}
