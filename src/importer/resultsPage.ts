// A page of a Lobstr run's results, as GET /v1/results answers it. Pure, and never throws.
//
// What Lobstr documents (read when this was written; Lobstr's docs are the authority):
// - GET https://api.lobstr.io/v1/results?run=<run hash>&page=N&limit=M, header `Authorization: Token <key>`;
//   `limit` defaults to 50, max 100 (https://docs.lobstr.io/docs/get-results). Public clients also send
//   `page_size`; we send what the importer sends and read whatever envelope comes back.
// - Every list endpoint answers the same envelope (https://docs.lobstr.io/docs/pagination):
//     { "total_results": 243, "limit": 10, "page": 1, "total_pages": 25, "result_from": 1, "result_to": 10,
//       "next": "<url>" | null, "previous": "<url>" | null, "data": [ ... ] }
//   Free plans cap the list and add a `warning` field. parseResultsPage also accepts `results` for the list,
//   `count`/`total` for the total, and computes the page count from `limit`/`page_size`, or from `next: null`.
// - Rate limit: /v1/results allows 2 requests/second; over it, 429 with `Retry-After` (seconds) and
//   { "error": "Rate limit exceeded. Please try again later.", "type": "RateLimitExceeded", "code": 429 }
//   (https://docs.lobstr.io/docs/rate-limiting; the client keeps to it, src/importer/lobstrClient.ts).
// - Webhook (https://docs.lobstr.io/docs/configure-webhook-delivery): POST of
//     { "id": "<run hash>", "object": "run", "event": "run.done", "squid": { "id": "<hash>", "name": "..." },
//       "timestamp": "2025/06/18 17:32:31" }      (timestamp in UTC; events run.running/paused/done/error)
//   Note `squid` is an object there, not a string (src/http/routes/lobstrWebhookRoutes.ts).
import { isObject, wholeNumber } from './resultValues.js';

export interface ResultsPage {
  results: unknown[];
  totalPages: number | null;
  totalResults: number | null;
}

export function parseResultsPage(body: unknown): ResultsPage {
  // A bare list says nothing about other pages.
  if (Array.isArray(body)) return { results: body, totalPages: null, totalResults: null };
  const b = isObject(body) ? body : {};
  const results = Array.isArray(b.data) ? b.data : Array.isArray(b.results) ? b.results : [];
  const totalResults = wholeNumber(b.total_results ?? b.count ?? b.total);
  const pageSize = wholeNumber(b.limit ?? b.page_size);
  const page = wholeNumber(b.page);
  let totalPages = wholeNumber(b.total_pages ?? b.num_pages);
  if (totalPages === null && totalResults !== null && pageSize) totalPages = Math.ceil(totalResults / pageSize);
  // No counts at all, but Lobstr says there is no next page: this one is the last.
  if (totalPages === null && b.next === null && page !== null) totalPages = page;
  return { results, totalPages, totalResults };
}
