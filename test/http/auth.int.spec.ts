import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/http.js';
import { TOKENS, useTestEnv } from '../support/testEnv.js';

const t = useTestEnv();
let http: ReturnType<typeof apiClient>;
beforeAll(async () => {
  http = apiClient((await t.startService({ ROLES: 'api' })).url);
});

const id = randomUUID();
const protectedEndpoints: Array<[string, string, string]> = [
  ['POST', '/v1/ads', TOKENS.INGEST_TOKEN],
  ['POST', '/v1/hunts', TOKENS.API_TOKEN],
  ['GET', `/v1/hunts/${id}`, TOKENS.API_TOKEN],
  ['PATCH', `/v1/hunts/${id}`, TOKENS.API_TOKEN],
  ['DELETE', `/v1/hunts/${id}`, TOKENS.API_TOKEN],
  ['GET', `/v1/accounts/${id}/hunts`, TOKENS.API_TOKEN],
  ['GET', `/v1/accounts/${id}/leads`, TOKENS.API_TOKEN],
  ['POST', '/v1/accounts', TOKENS.API_TOKEN],
  ['POST', '/v1/ticks', TOKENS.CRON_SECRET],
];

describe('protected endpoints', () => {
  it.each(protectedEndpoints)('%s %s refuses a missing or wrong token with a bare 401', async (method, path, right) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    for (const token of [null, 'wrong', `${right}x`, TOKENS.INGEST_TOKEN === right ? TOKENS.API_TOKEN : TOKENS.INGEST_TOKEN]) {
      const response = await http.call(method, path, body, token);
      expect(response, `${method} ${path} with ${token}`).toEqual({ status: 401, body: { error: 'unauthorized' } });
    }
  });

  it('refuses the Lobstr webhook with a wrong secret, before reading the body', async () => {
    expect(await http.call('POST', '/v1/lobstr/webhook/not-the-secret', { nonsense: true })).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect((await http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, { id: 'r1', event: 'run.started' })).status).toBe(200);
  });
});
