// Body limits per route (src/http/routeDefaults.ts): a webhook takes a few KiB, ingestion what 1,000 ads
// need, every other route 1 MiB; above, 413 with a body naming the limit, and nothing written. The
// OpenAPI document tells both shared errors: 413 on every route with a body, 503 on every /v1 route.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();
let url = '';
beforeAll(async () => {
  url = (await t.startService({ ROLES: 'api' })).url;
});

const KiB = 1024;
const MiB = 1024 * KiB;

const post = async (path: string, body: string, token?: string) => {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};

/** A JSON object of exactly `bytes` bytes: `fields` and a padding field. */
const jsonOfSize = (fields: Record<string, unknown>, bytes: number) => {
  const base = JSON.stringify({ ...fields, pad: '' });
  const body = JSON.stringify({ ...fields, pad: 'x'.repeat(bytes - Buffer.byteLength(base)) });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
};

const tooLarge = (limit: number, label: string) => ({
  error: 'payload_too_large',
  message: `the body is larger than the ${label} (${limit} bytes) this route accepts`,
  limitBytes: limit,
});

const rowCount = async (table: string) =>
  Number((await t.db(table).count<Array<{ count: string }>>('* as count'))[0]!.count);

/** An ad as rich as LeBonCoin's get: a 4,000-character description with accents, 30 pictures, every field. */
const richAd = () =>
  adInput({
    title: 'Peugeot 308 SW 1.5 BlueHDi 130ch S&S EAT8 Allure Pack, première main, carnet d’entretien à jour',
    description: 'Véhicule révisé, entretien à jour chez le concessionnaire, pneus été récents, freins neufs. '
      .repeat(45)
      .slice(0, 4000),
    pictures: Array.from(
      { length: 30 },
      () => `https://img.leboncoin.fr/api/v1/lbcpb1/images/${randomBytes(20).toString('hex')}.jpg?rule=ad-large`,
    ),
  });

describe('body limits', () => {
  it('refuses a webhook body over 32 KiB with 413 naming the limit, writes nothing, and takes one of exactly 32 KiB', async () => {
    const lobstr = `/v1/lobstr/webhook/${TOKENS.LOBSTR_WEBHOOK_SECRET}`;
    const runs = await rowCount('lobstr_runs');
    expect(await post(lobstr, jsonOfSize({ id: 'run-too-large', event: 'run.done' }, 32 * KiB + 1))).toEqual({
      status: 413,
      body: tooLarge(32 * KiB, '32 KiB'),
    });
    expect(await rowCount('lobstr_runs'), 'a refused webhook wrote nothing').toBe(runs);
    expect(await post(lobstr, jsonOfSize({ id: 'run-at-the-limit', event: 'run.done' }, 32 * KiB))).toMatchObject({
      status: 200,
      body: { status: 'accepted' },
    });

    const gateway = `/v1/gateway/webhook/${TOKENS.MESSAGE_GATEWAY_WEBHOOK_SECRET}`;
    const body = { type: 'inbound', from: '+33612345678', text: 'x', at: new Date().toISOString() };
    expect(await post(gateway, jsonOfSize(body, 32 * KiB + 1))).toEqual({
      status: 413,
      body: tooLarge(32 * KiB, '32 KiB'),
    });
    // The gateway's longest inbound text (2,000 characters, here of three bytes each in UTF-8) fits.
    const longest = await post(gateway, JSON.stringify({ ...body, text: '中'.repeat(2000) }));
    expect(longest.status).toBe(200);
  });

  it('takes 1,000 rich ads in one request and refuses a body over 16 MiB with 413 naming the limit', async () => {
    const ads = Array.from({ length: 1000 }, richAd);
    const body = JSON.stringify({ ads });
    // What a scraper would send at the most: about 8 MB (8 KiB an ad), half the limit.
    expect(Buffer.byteLength(body)).toBeGreaterThan(7 * MiB);
    expect(await post('/v1/ads', body, TOKENS.INGEST_TOKEN)).toMatchObject({
      status: 202,
      body: { received: 1000, inserted: 1000 },
    });

    const before = await rowCount('ads');
    expect(await post('/v1/ads', jsonOfSize({ ads: [adInput()] }, 16 * MiB + 1), TOKENS.INGEST_TOKEN)).toEqual({
      status: 413,
      body: tooLarge(16 * MiB, '16 MiB'),
    });
    expect(await rowCount('ads'), 'a refused ingestion wrote nothing').toBe(before);
  });

  it('refuses a body over 1 MiB on the other routes with 413 naming the limit', async () => {
    const before = await rowCount('hunts');
    expect(await post('/v1/hunts', jsonOfSize(huntInput(), MiB + 1), TOKENS.API_TOKEN)).toEqual({
      status: 413,
      body: tooLarge(MiB, '1 MiB'),
    });
    expect(await rowCount('hunts')).toBe(before);
  });

  it('documents 413 on every route that takes a body and 503 on every /v1 route', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { path, method, op } of operations) {
      const name = `${method.toUpperCase()} ${path}`;
      if (['post', 'patch', 'put', 'delete'].includes(method))
        expect(op.responses['413'], `${name} documents 413`).toBeDefined();
      if (path.startsWith('/v1/'))
        expect(JSON.stringify(op.responses['503']), `${name} documents 503`).toContain('Retry-After');
    }
  });
});
