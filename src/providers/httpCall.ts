// One HTTP call to a provider over undici's keep-alive pool, and what a failed call means for the
// message: a request refused before it could reach the provider was certainly not sent; a timeout or a
// connection lost after the request was written may have been. The call goes through undici's
// `dispatch` with a handler that gathers the answer's bytes: a provider's answer is a small JSON
// document, and `request()` wraps each one in a readable stream, which costs the client more CPU per call
// than this (WHATWG fetch costs more still): a sender's calls are many and small, so the per-call cost counts.
import { Agent, type Dispatcher } from 'undici';
import type { SendOutcome } from './provider.js';

export interface HttpAnswer {
  status: number;
  text: string;
  header(name: string): string | null;
}

export type CallResult = { ok: true; answer: HttpAnswer } | { ok: false; reason: string; uncertain: boolean };

/** Errors raised before the request left this machine: the provider never saw it. */
const NOT_REACHED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export const createAgent = (timeoutMs: number) =>
  new Agent({
    keepAliveTimeout: 10_000,
    connections: 128,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 5000),
  });

/** A provider's connection: its keep-alive pool, the headers that say who we are, the time a call may take. */
export interface ProviderConnection {
  agent: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** A GET of `url` over the provider's connection. */
export const getFrom = (c: ProviderConnection, url: string) =>
  call(c.agent, url, { method: 'GET', timeoutMs: c.timeoutMs, headers: c.headers });

export async function call(
  agent: Dispatcher,
  url: string,
  options: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; timeoutMs: number },
): Promise<CallResult> {
  try {
    const { status, headers, text } = await dispatch(agent, new URL(url), options);
    return {
      ok: true,
      answer: {
        status,
        text,
        header: (name) => {
          const value = headers[name.toLowerCase()];
          return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
        },
      },
    };
  } catch (error) {
    const e = error as Error & { code?: string };
    const timedOut = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
    return {
      ok: false,
      reason: timedOut ? `timeout after ${options.timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`,
      uncertain: !NOT_REACHED.has(e.code ?? ''),
    };
  }
}

/** The answer's status, headers and body (UTF-8), or the error that ended the request. */
function dispatch(
  agent: Dispatcher,
  url: URL,
  options: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
    (resolve, reject) => {
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      let chunks: Buffer[] = [];
      agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: options.method,
          headers: options.headers,
          body: options.body,
        },
        {
          // Its presence is what tells undici this handler speaks its current (v7) interface.
          onRequestStart() {},
          onResponseStart(_controller, statusCode, responseHeaders) {
            // 1xx answers come before the final one: only the last start counts.
            status = statusCode;
            headers = responseHeaders;
            chunks = [];
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, headers, text: Buffer.concat(chunks).toString('utf8') });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    },
  );
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The JSON object of a body, or {} (providers answer errors in JSON, proxies in text or HTML). */
export function jsonObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * What a send does after looking up an earlier attempt that may have gone out: try again later when the
 * look-up failed (not knowing is no reason to send twice), the message as sent when it was found, and
 * undefined (send it) when it was not.
 */
export function outcomeOfLookUp(
  looked: { failed: string } | { externalId: string | null } | null,
  from: string | null,
  now: Date,
): SendOutcome | undefined {
  if (looked === null) return undefined;
  if ('failed' in looked)
    return {
      kind: 'retry',
      reason: `a previous attempt may have been sent, and looking it up failed (${looked.failed})`,
      retryAfterMs: null,
      uncertain: true,
    };
  return { kind: 'sent', externalId: looked.externalId, sentAt: now, from, lookedUp: true };
}
