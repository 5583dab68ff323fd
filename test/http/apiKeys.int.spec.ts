import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { huntInput } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv({ service: { ROLES: 'api' } });
const http = apiClient(() => t.url);

interface KeyJson {
  id: string;
  accountId: string;
  prefix: string;
  key?: string;
  createdAt: string;
  lastUsedAt: string | null;
}

async function accountWithKey() {
  const accountId = randomUUID();
  expect((await http.api.post('/v1/accounts', { id: accountId, name: 'Garage' })).status).toBe(201);
  const created = await http.api.post<KeyJson>(`/v1/accounts/${accountId}/api-keys`);
  expect(created.status).toBe(201);
  return { accountId, key: created.body };
}

describe('account-scoped API keys', () => {
  it('are shown once at creation, listed by prefix and last use only, and stored as hashes', async () => {
    const { accountId, key } = await accountWithKey();
    expect(key.key).toMatch(/^hm_live_[A-Za-z0-9_-]{43}$/);
    expect(key.key!.startsWith(key.prefix)).toBe(true);
    expect(key).toMatchObject({ accountId, lastUsedAt: null });
    const listed = await http.api.get<{ keys: KeyJson[] }>(`/v1/accounts/${accountId}/api-keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.keys).toEqual([
      { id: key.id, accountId, prefix: key.prefix, createdAt: key.createdAt, lastUsedAt: null },
    ]);
    const stored = (await t.db('api_keys').where({ id: key.id }).first<{ key_hash: Buffer; prefix: string }>())!;
    expect(stored.key_hash.toString('hex')).not.toContain(Buffer.from(key.key!).toString('hex'));
    expect(JSON.stringify(stored)).not.toContain(key.key!.slice(key.prefix.length));
  });

  it("reach their own account's hunts and leads, and answer 404 for another account's, exactly as for a missing one", async () => {
    const { accountId, key } = await accountWithKey();
    const other = await accountWithKey();
    const mine = apiClient(t.url);
    const as = (token: string) => ({
      get: <T>(path: string) => mine.call<T>('GET', path, undefined, token),
      post: <T>(path: string, body: unknown) => mine.call<T>('POST', path, body, token),
      patch: <T>(path: string, body: unknown) => mine.call<T>('PATCH', path, body, token),
      delete: <T>(path: string) => mine.call<T>('DELETE', path, undefined, token),
    });
    const me = as(key.key!);
    const created = await me.post<{ id: string }>('/v1/hunts', huntInput({ accountId }));
    expect(created.status).toBe(201);
    expect((await me.get(`/v1/hunts/${created.body.id}`)).status).toBe(200);
    expect((await me.get(`/v1/accounts/${accountId}/hunts`)).status).toBe(200);
    expect((await me.get(`/v1/accounts/${accountId}/leads`)).status).toBe(200);

    const theirs = (await http.api.post<{ id: string }>('/v1/hunts', huntInput({ accountId: other.accountId }))).body;
    const missing = randomUUID();
    for (const [label, call, missingCall] of [
      [
        'create in another account',
        () => me.post('/v1/hunts', huntInput({ accountId: other.accountId })),
        () => me.post('/v1/hunts', huntInput({ accountId: missing })),
      ],
      ["read another account's hunt", () => me.get(`/v1/hunts/${theirs.id}`), () => me.get(`/v1/hunts/${missing}`)],
      [
        'change it',
        () => me.patch(`/v1/hunts/${theirs.id}`, { priceMax: 1 }),
        () => me.patch(`/v1/hunts/${missing}`, { priceMax: 1 }),
      ],
      ['delete it', () => me.delete(`/v1/hunts/${theirs.id}`), () => me.delete(`/v1/hunts/${missing}`)],
      [
        'list its hunts',
        () => me.get(`/v1/accounts/${other.accountId}/hunts`),
        () => me.get(`/v1/accounts/${missing}/hunts`),
      ],
      [
        'list its leads',
        () => me.get(`/v1/accounts/${other.accountId}/leads`),
        () => me.get(`/v1/accounts/${missing}/leads`),
      ],
    ] as const) {
      const response = await call();
      expect(response.status, label).toBe(404);
      const absent = await missingCall();
      expect(absent.status, label).toBe(404);
      expect(JSON.stringify(response.body).replace(other.accountId, 'X').replace(theirs.id, 'X'), label).toBe(
        JSON.stringify(absent.body).replace(missing, 'X'),
      );
    }
    // Nothing of the other account changed.
    expect((await http.api.get<{ priceMax: number }>(`/v1/hunts/${theirs.id}`)).body.priceMax).toBe(20_000);
    expect(
      (await t.db('hunts').where({ account_id: other.accountId }).count<{ count: string }[]>('* as count'))[0]!.count,
    ).toBe(1);
    // The admin token still reaches every account.
    expect((await http.api.get(`/v1/hunts/${theirs.id}`)).status).toBe(200);
  });

  it('cannot create accounts or keys, and stop working once revoked', async () => {
    const { accountId, key } = await accountWithKey();
    const call = apiClient(t.url).call;
    expect((await call('POST', '/v1/accounts', { name: 'x' }, key.key!)).status).toBe(401);
    expect((await call('POST', `/v1/accounts/${accountId}/api-keys`, undefined, key.key!)).status).toBe(401);
    expect((await call('GET', `/v1/accounts/${accountId}/hunts`, undefined, key.key!)).status).toBe(200);
    expect(
      (await t.db('api_keys').where({ id: key.id }).first<{ last_used_at: Date | null }>())!.last_used_at,
    ).not.toBeNull();
    expect((await http.api.delete(`/v1/accounts/${accountId}/api-keys/${key.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/accounts/${accountId}/hunts`, undefined, key.key!)).status).toBe(401);
    expect((await http.api.delete(`/v1/accounts/${accountId}/api-keys/${key.id}`)).status).toBe(404);
    expect((await http.api.get<{ keys: unknown[] }>(`/v1/accounts/${accountId}/api-keys`)).body.keys).toEqual([]);
  });

  it('are refused for an account that does not exist, and a made-up key is a bare 401', async () => {
    expect((await http.api.post(`/v1/accounts/${randomUUID()}/api-keys`)).status).toBe(404);
    expect(
      await apiClient(t.url).call('GET', `/v1/accounts/${randomUUID()}/hunts`, undefined, `hm_live_${'A'.repeat(43)}`),
    ).toEqual({ status: 401, body: { error: 'unauthorized' } });
  });
});
