// The webhook subscriptions of an account: written with the API token or the account's key, the secret
// answered once, and no URL that could reach inside (https only here, public addresses only, the
// allowed hosts excepted), checked before anything is written.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiClient } from '../support/http.js';
import { useTestEnv } from '../support/testEnv.js';

// https only (WEBHOOKS_ALLOW_HTTP off); 127.0.0.1 is the one host allowed to be private.
const t = useTestEnv({ service: { ROLES: 'api', WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1' } });
const http = apiClient(() => t.url);

interface EndpointJson {
  id: string;
  accountId: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  secret?: string;
  previousSecretExpiresAt: string | null;
}

const PUBLIC_URL = 'https://93.184.215.14/hooks/crm';

async function account() {
  const accountId = randomUUID();
  expect((await http.api.post('/v1/accounts', { id: accountId, name: 'Garage' })).status).toBe(201);
  return accountId;
}

describe('webhook subscriptions', () => {
  it('answer the signing secret once, and never again', async () => {
    const accountId = await account();
    const created = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, {
      url: PUBLIC_URL,
      events: ['lead.created', 'message.sent'],
      description: 'CRM',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ accountId, url: PUBLIC_URL, events: ['lead.created', 'message.sent'] });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await http.api.get<EndpointJson>(`/v1/accounts/${accountId}/webhooks/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await http.api.get(`/v1/accounts/${accountId}/webhooks`)).body)).not.toContain('whsec_');
    // An account is created on first use, as a hunt creates its own.
    const fresh = randomUUID();
    expect((await http.api.post(`/v1/accounts/${fresh}/webhooks`, { url: PUBLIC_URL })).status).toBe(201);
    expect((await http.api.get(`/v1/accounts/${fresh}`)).status).toBe(200);
    // Left out, the events are all five.
    const all = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL });
    expect(all.body.events).toEqual([
      'lead.created',
      'message.sent',
      'message.failed',
      'message.delivered',
      'seller.replied',
    ]);
  });

  it.each([
    ['a private address', 'https://10.1.2.3/hook'],
    ['the link-local metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['an IPv4-mapped loopback', 'https://[::ffff:7f00:1]/hook'],
    ['a name resolving to loopback', 'https://localhost/hook'],
    ['plain http while WEBHOOKS_ALLOW_HTTP is off', 'http://93.184.215.14/hook'],
    ['a URL with credentials', 'https://user:secret@93.184.215.14/hook'],
  ])('refuse %s with a 400 naming url, and write nothing', async (_what, url) => {
    const accountId = await account();
    const refused = await http.api.post<{ field: string; message: string }>(`/v1/accounts/${accountId}/webhooks`, {
      url,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('body/url');
    expect(await t.db('webhook_endpoints').where({ account_id: accountId }).pluck('id')).toEqual([]);
  });

  it('accept a private address whose host WEBHOOKS_ALLOWED_HOSTS lists, and refuse a change of URL to one it does not', async () => {
    const accountId = await account();
    const created = await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, {
      url: 'https://127.0.0.1:8443/hook',
    });
    expect(created.status).toBe(201);
    const path = `/v1/accounts/${accountId}/webhooks/${created.body.id}`;
    const refused = await http.api.patch<{ field: string }>(path, { url: 'https://192.168.1.10/hook' });
    expect(refused).toMatchObject({ status: 400, body: { field: 'body/url' } });
    expect((await http.api.get<EndpointJson>(path)).body.url).toBe('https://127.0.0.1:8443/hook');
  });

  it("are reached with the account's key, and another account's answer 404 as a missing one does", async () => {
    const accountId = await account();
    const other = await account();
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${accountId}/api-keys`)).body.key;
    const asKey = apiClient(t.url);
    const mine = await asKey.call<EndpointJson>('POST', `/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL }, key);
    expect(mine.status).toBe(201);
    const theirs = (await http.api.post<EndpointJson>(`/v1/accounts/${other}/webhooks`, { url: PUBLIC_URL })).body;
    expect((await asKey.call('GET', `/v1/accounts/${other}/webhooks/${theirs.id}`, undefined, key)).status).toBe(404);
    expect((await asKey.call('POST', `/v1/accounts/${other}/webhooks`, { url: PUBLIC_URL }, key)).status).toBe(404);
    expect((await asKey.call('GET', `/v1/accounts/${accountId}/webhooks/${theirs.id}`, undefined, key)).status).toBe(
      404,
    );
    expect((await asKey.call('GET', `/v1/accounts/${accountId}/webhooks`, undefined, 'wrong')).status).toBe(401);
  });

  it('change their events, disable, rotate their secret with a 24-hour overlap, and go', async () => {
    const accountId = await account();
    const created = (await http.api.post<EndpointJson>(`/v1/accounts/${accountId}/webhooks`, { url: PUBLIC_URL })).body;
    const path = `/v1/accounts/${accountId}/webhooks/${created.id}`;
    const patched = await http.api.patch<EndpointJson>(path, { events: ['seller.replied'], enabled: false });
    expect(patched).toMatchObject({ status: 200, body: { events: ['seller.replied'], enabled: false } });
    expect((await http.api.patch<{ field: string }>(path, { events: ['lead.updated'] })).body.field).toBe(
      'body/events/0',
    );

    const rotated = await http.api.post<{ secret: string; previousSecretExpiresAt: string }>(`${path}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const overlap = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3_600_000);
    const stored = (await t.db('webhook_endpoints').where({ id: created.id }).first<{
      secret: string;
      previous_secret: string;
    }>())!;
    expect(stored).toMatchObject({ secret: rotated.body.secret, previous_secret: created.secret });

    expect((await http.api.delete(path)).status).toBe(204);
    expect((await http.api.get(path)).status).toBe(404);
    expect((await http.api.delete(path)).status).toBe(404);
  });
});
