import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { HOPS } from '../../src/platform/metrics.js';
import { startFakeGateway } from '../../testkit/fakeGateway.js';
import { adInput, huntInput } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';

const t = useTestEnv();
const gateways: Array<Awaited<ReturnType<typeof startFakeGateway>>> = [];
afterAll(async () => {
  for (const g of gateways) await g.close();
});

/** hunt_matcher_hop_seconds_count{hop="..."} of a /metrics text. */
const hopCounts = (text: string) =>
  new Map(
    [...text.matchAll(/^hunt_matcher_hop_seconds_count\{hop="([a-z_]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
  );

describe('the per-hop latency histograms', () => {
  it('time every hop from the request to the gateway call once an ad went through', async () => {
    const gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN);
    gateways.push(gateway);
    const service = await t.startService({ ROLES: 'api,relay,matcher,sender', MESSAGE_GATEWAY_URL: gateway.url });
    const http = apiClient(service.url);
    const brand = `Marque-${randomUUID().slice(0, 8)}`;
    const accountId = randomUUID();
    expect((await http.api.post('/v1/hunts', huntInput({ accountId, brands: [brand] }))).status).toBe(201);
    await waitFor(
      async () => (await t.db('hunts').where({ account_id: accountId }).whereNotNull('last_scan_at')).length === 1,
      { message: 'hunt backfilled' },
    );
    expect((await http.ingest.post('/v1/ads', { ads: [adInput({ brand })] })).status).toBe(202);
    await waitFor(() => gateway.requests.some((r) => r.body.content.includes(brand)), {
      message: 'the gateway called',
    });

    const counts = await waitFor(
      async () => {
        const c = hopCounts(await (await fetch(`${service.url}/metrics`)).text());
        return HOPS.every((hop) => (c.get(hop) ?? 0) >= 1) ? c : undefined;
      },
      { message: 'every hop observed' },
    );
    expect([...counts.keys()].sort()).toEqual([...HOPS].sort());
    // The whole is at least as long as the matcher's part of it.
    const sum = (text: string, hop: string) =>
      Number(new RegExp(`^hunt_matcher_hop_seconds_sum\\{hop="${hop}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(sum(text, 'request_to_gateway')).toBeGreaterThan(0);
    expect(sum(text, 'request_to_gateway')).toBeGreaterThanOrEqual(
      sum(text, 'matcher_consume_to_commit') / counts.get('matcher_consume_to_commit')!,
    );
  });
});
