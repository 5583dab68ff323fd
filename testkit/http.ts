import { TOKENS } from './testEnv.js';

export interface Response<T = unknown> {
  status: number;
  body: T;
}

/** A small client for the service's HTTP API, with the test tokens. */
export function apiClient(baseUrl: string | (() => string)) {
  async function call<T>(method: string, path: string, body?: unknown, token?: string | null): Promise<Response<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${typeof baseUrl === 'string' ? baseUrl : baseUrl()}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const api = (token: string) => ({
    get: <T = unknown>(path: string) => call<T>('GET', path, undefined, token),
    post: <T = unknown>(path: string, body?: unknown) => call<T>('POST', path, body, token),
    patch: <T = unknown>(path: string, body: unknown) => call<T>('PATCH', path, body, token),
    delete: <T = unknown>(path: string) => call<T>('DELETE', path, undefined, token),
  });
  return {
    base: () => (typeof baseUrl === 'string' ? baseUrl : baseUrl()),
    call,
    ingest: api(TOKENS.INGEST_TOKEN),
    api: api(TOKENS.API_TOKEN),
    cron: api(TOKENS.CRON_SECRET),
  };
}

/** POSTs a JSON body with no bearer token: webhooks authenticate by a secret in their URL or a signature. */
export const postJson = (url: string, body: unknown): Promise<globalThis.Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The generic gateway's webhook of a service, with the test secret unless another is given. */
export const gatewayWebhookUrl = (baseUrl: string, secret: string = TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET) =>
  `${baseUrl}/v1/gateway/webhook/${secret}`;

/** A seller's SMS as the generic gateway posts it to the service's webhook: an `inbound` callback, dated now. */
export const postGatewayInbound = (baseUrl: string, from: string, text: string) =>
  postJson(gatewayWebhookUrl(baseUrl), { type: 'inbound', from, text, at: new Date().toISOString() });

/** The value of one sample on a service's /metrics, e.g. ('hunt_matcher_optouts_total', {source: 'api'}); 0 when absent. */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return 0;
}
