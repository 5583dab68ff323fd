// Hostile input at every route (property-based, fast-check): never a 5xx, never a stack trace or SQL in
// a body, and nothing written by a request that got a 4xx.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { TABLES } from '../../testkit/rows.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv({ service: { ROLES: 'api' } });
const http = apiClient(() => t.url);

// Every table of the schema, not only those a route writes: a request that got a 4xx wrote to none.
const rowCounts = async () =>
  (
    await t.db.raw<{ rows: Array<Record<string, number>> }>(
      `SELECT ${TABLES.map((n) => `(SELECT count(*)::int FROM ${n}) AS ${n}`).join(', ')}`,
    )
  ).rows[0]!;

const hostileString = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\ud83d',
    "'; DROP TABLE ads; --",
    '%00',
    '\\u0000',
    '${7*7}',
    '<script>',
    'x'.repeat(70_000),
    '',
    ' ',
    '0000-01-01',
    '2026-02-30T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '-1',
    'NaN',
    '1e309',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, -1, 0, 1e308, -1e308, 2 ** 53, 1.5, [], {}, [null], { __proto__: { admin: true } }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);
/** A valid body with one field (or one field of a nested object) replaced by something hostile. */
const mutate = (valid: Record<string, unknown>) =>
  fc
    .tuple(fc.constantFrom(...Object.keys(valid), 'unknownField', '__proto__', 'constructor'), hostileValue)
    .map(([key, value]) => ({ ...valid, [key]: value }));

/** A path or query segment for any string: what cannot be UTF-8 (a lone surrogate) goes as the raw bytes an attacker would send. */
const segmentOf = (text: string) =>
  [...text]
    .map((c) => {
      try {
        return encodeURIComponent(c);
      } catch {
        return '%ED%A0%80';
      }
    })
    .join('');
const rawSegments = fc.constantFrom('%FF', '%00', '%C0%AF', '%ED%A0%80', '%25', '..%2F..%2Fetc%2Fpasswd');

function assertSafe(response: { status: number; body: unknown }, label: string) {
  expect(response.status, label).toBeLessThan(500);
  const text = JSON.stringify(response.body ?? '');
  expect(text, label).not.toMatch(
    /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\bINSERT INTO\b|\bSELECT\b.*\bFROM\b|syntax error|violates|relation "/i,
  );
}

async function check(label: string, send: () => Promise<{ status: number; body: unknown }>) {
  const before = await rowCounts();
  const response = await send();
  assertSafe(response, label);
  if (response.status >= 400) expect(await rowCounts(), `${label}: a ${response.status} wrote nothing`).toEqual(before);
  return response;
}

describe('hostile input', () => {
  it('POST /v1/ads: never a 5xx, nothing written by a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(mutate(adInput() as unknown as Record<string, unknown>), fc.boolean(), async (ad, wrapped) => {
        await check(`ads ${JSON.stringify(ad).slice(0, 200)}`, () =>
          http.ingest.post('/v1/ads', wrapped ? { ads: [ad] } : ad),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('POST /v1/hunts and PATCH /v1/hunts/:id: never a 5xx, nothing written by a 4xx', async () => {
    const existing = (await http.api.post<{ id: string }>('/v1/hunts', huntInput())).body.id;
    await fc.assert(
      fc.asyncProperty(mutate(huntInput() as unknown as Record<string, unknown>), async (hunt) => {
        await check(`hunt ${JSON.stringify(hunt).slice(0, 200)}`, () => http.api.post('/v1/hunts', hunt));
        const { accountId: _a, ...patch } = hunt;
        await check(`patch ${JSON.stringify(patch).slice(0, 200)}`, () =>
          http.api.patch(`/v1/hunts/${existing}`, patch),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('the other routes, bodies, ids and query strings: never a 5xx, nothing written by a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue, hostileString, fc.option(rawSegments), async (body, text, raw) => {
        const segment = raw ?? segmentOf(text);
        await check('ticks', () => http.cron.post('/v1/ticks', body));
        await check('ticks date', () => http.cron.post('/v1/ticks', { date: text }));
        await check('accounts', () => http.api.post('/v1/accounts', body));
        await check('lobstr webhook', () =>
          http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, body),
        );
        await check('lobstr webhook id', () =>
          http.call('POST', `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`, {
            id: text,
            event: 'run.done',
            squid: text,
            timestamp: text,
          }),
        );
        await check('hunt id', () => http.api.get(`/v1/hunts/${segment}`));
        await check('leads query', () =>
          http.api.get(`/v1/accounts/${randomUUID()}/leads?stage=${segment}&limit=${segment}&cursor=${segment}`),
        );
        await check('api keys', () => http.api.post(`/v1/accounts/${segment}/api-keys`, body));
        await check('webhook', () => http.api.post(`/v1/accounts/${randomUUID()}/webhooks`, body));
        await check('webhook url', () =>
          http.api.post(`/v1/accounts/${randomUUID()}/webhooks`, { url: text, events: [text], description: text }),
        );
        await check('webhook deliveries', () =>
          http.api.get(`/v1/accounts/${segment}/webhooks/${segment}/deliveries?status=${segment}&limit=${segment}`),
        );
        await check('optouts', () => http.api.post('/v1/optouts', body));
        await check('optouts phone', () => http.api.post('/v1/optouts', { phone: text, reason: text }));
        await check('optout of', () => http.api.get(`/v1/optouts/${segment}`));
        await check('optout lifted', () => http.api.delete(`/v1/optouts/${segment}`));
        const webhook = `/v1/gateway/webhook/${TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET}`;
        await check('gateway webhook', () => http.call('POST', webhook, body));
        await check('gateway receipt', () =>
          http.call('POST', webhook, { type: 'status', externalId: text, status: 'delivered', at: text }),
        );
        await check('gateway inbound', () =>
          http.call('POST', webhook, { type: 'inbound', from: text, text, at: new Date().toISOString() }),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('names the field of a NUL or an unpaired surrogate, and of a date out of range', async () => {
    const nul = await http.ingest.post<{ field: string }>('/v1/ads', {
      ads: [adInput(), adInput({ description: 'moteur\u0000HS' })],
    });
    expect(nul).toMatchObject({ status: 400, body: { field: 'body/ads/1/description' } });
    const surrogate = await http.ingest.post<{ field: string }>('/v1/ads', {
      ads: [adInput({ title: 'Clio \ud800' })],
    });
    expect(surrogate).toMatchObject({ status: 400, body: { field: 'body/ads/0/title' } });
    expect(await http.cron.post('/v1/ticks', { date: '0000-01-01' })).toMatchObject({
      status: 400,
      body: { field: 'body/date' },
    });
    expect(await http.cron.post('/v1/ticks', { date: 'soon' })).toMatchObject({
      status: 400,
      body: { field: 'body/date' },
    });
    expect(await http.cron.post('/v1/ticks', { date: '2026-02-30' })).toMatchObject({
      status: 400,
      body: { field: 'body/date' },
    });
    expect(
      await http.ingest.post('/v1/ads', { ads: [adInput({ firstPublishedAt: '1899-12-31T00:00:00Z' })] }),
    ).toMatchObject({ status: 400, body: { field: 'body/ads/0/firstPublishedAt' } });
  });
});
