// Bodies as HTTP clients really send them: `content-type: application/json` on a bodiless request,
// and malformed JSON.
import { beforeAll, describe, expect, it } from 'vitest';
import { huntInput } from '../../testkit/fixtures.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();
let url = '';
beforeAll(async () => {
  url = (await t.startService({ ROLES: 'api' })).url;
});

const send = async (method: string, path: string, body: string, token: string = TOKENS.API_TOKEN) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
};

describe('request bodies', () => {
  it('accepts a DELETE with content-type application/json and an empty body', async () => {
    const created = await send('POST', '/v1/hunts', JSON.stringify(huntInput()));
    expect(created.status).toBe(201);
    const deleted = await send('DELETE', `/v1/hunts/${String(created.body.id)}`, '');
    expect(deleted.status).toBe(204);
  });

  it('accepts a bodiless POST with content-type application/json and an empty body', async () => {
    const tick = await send('POST', '/v1/ticks', '', TOKENS.CRON_SECRET);
    expect(tick.status).toBe(202);
    expect(tick.body).toMatchObject({ duplicate: false });
  });

  it('still refuses an empty body where the route needs one, naming the body', async () => {
    const response = await send('POST', '/v1/hunts', '');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'validation_failed', field: 'body' });
  });

  it('refuses malformed JSON with a 400 that says so', async () => {
    const response = await send('POST', '/v1/hunts', '{"adType": "voitures",');
    expect(response).toEqual({
      status: 400,
      body: { error: 'validation_failed', message: 'body is not valid JSON', field: 'body' },
    });
  });
});
