import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

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
  ['GET', '/v1/ops/pipeline', TOKENS.OPS_TOKEN],
  ['GET', '/v1/ops/dead-letters', TOKENS.OPS_TOKEN],
  ['POST', '/v1/ops/dead-letters/replay', TOKENS.OPS_TOKEN],
  ['GET', '/v1/ops/accounts', TOKENS.OPS_TOKEN],
  ['GET', `/v1/ops/accounts/${id}/leads`, TOKENS.OPS_TOKEN],
  ['GET', '/v1/ops/lobstr-runs', TOKENS.OPS_TOKEN],
  ['POST', '/v1/ops/hunts/preview', TOKENS.OPS_TOKEN],
];

describe('protected endpoints', () => {
  it.each(protectedEndpoints)('%s %s refuses a missing or wrong token with a bare 401', async (method, path, right) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    for (const token of [
      null,
      'wrong',
      `${right}x`,
      TOKENS.INGEST_TOKEN === right ? TOKENS.API_TOKEN : TOKENS.INGEST_TOKEN,
    ]) {
      const response = await http.call(method, path, body, token);
      expect(response, `${method} ${path} with ${token}`).toEqual({ status: 401, body: { error: 'unauthorized' } });
    }
  });

  it('refuses the Lobstr webhook with a wrong secret, before reading the body', async () => {
    expect(await http.call('POST', '/v1/lobstr/webhook/not-the-secret', { nonsense: true })).toEqual({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(
      (
        await http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, {
          id: 'r1',
          event: 'run.started',
        })
      ).status,
    ).toBe(200);
  });

  it('accepts a token only as RFC 6750 writes it: Bearer, one space, the token, nothing after', async () => {
    const raw = async (authorization: string) =>
      (await fetch(`${http.base()}/v1/accounts/${id}/hunts`, { headers: { authorization } })).status;
    expect(await raw(`Bearer ${TOKENS.API_TOKEN}`)).toBe(200);
    expect(await raw(`bearer ${TOKENS.API_TOKEN}`)).toBe(200); // the scheme is case-insensitive (RFC 7235)
    // Whitespace around a header value is not part of it (RFC 9110, section 5.5): Node's parser drops it
    // before any application sees the header, so " Bearer <token> " is the header "Bearer <token>".
    for (const wrong of [
      `Bearer  ${TOKENS.API_TOKEN}`,
      `Bearer\t${TOKENS.API_TOKEN}`,
      `Bearer ${TOKENS.API_TOKEN} extra`,
      `Basic ${TOKENS.API_TOKEN}`,
      TOKENS.API_TOKEN,
      'Bearer',
    ]) {
      expect(await raw(wrong), JSON.stringify(wrong)).toBe(401);
    }
  });
});
