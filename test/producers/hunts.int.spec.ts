import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HuntChanged } from '../../src/events/types.generated.js';
import { huntInput, PLACES } from '../../testkit/fixtures.js';
import { apiClient } from '../../testkit/http.js';
import { useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv({ service: { ROLES: 'api,relay' } });
const http = apiClient(() => t.url);

interface HuntJson {
  id: string;
  accountId: string;
  version: number;
  status: string;
  priceMax: number | null;
  brands: string[];
}

describe('the hunts API', () => {
  it('announces create, update, pause, activate and delete as HuntChanged events with increasing versions', async () => {
    const created = await http.api.post<HuntJson>('/v1/hunts', huntInput());
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ version: 1, status: 'active', brands: ['Peugeot'], priceMax: 20_000 });

    expect((await http.api.patch<HuntJson>(`/v1/hunts/${id}`, { priceMax: 18_000 })).body).toMatchObject({
      version: 2,
      priceMax: 18_000,
      brands: ['Peugeot'],
    });
    expect((await http.api.patch<HuntJson>(`/v1/hunts/${id}`, { status: 'paused' })).body).toMatchObject({
      version: 3,
      status: 'paused',
    });
    expect((await http.api.patch<HuntJson>(`/v1/hunts/${id}`, { status: 'active' })).body).toMatchObject({
      version: 4,
      status: 'active',
    });
    expect((await http.api.delete(`/v1/hunts/${id}`)).status).toBe(204);
    expect((await http.api.get(`/v1/hunts/${id}`)).status).toBe(404);
    expect((await http.api.delete(`/v1/hunts/${id}`)).status).toBe(404);

    const events = await t.readTopic('hunts.changed', (e) => e.filter((x) => x.key === id).length >= 5);
    const mine = events.filter((x) => x.key === id).map((x) => x.event!.value as HuntChanged);
    expect(mine.map((m) => [m.change, m.version])).toEqual([
      ['CREATED', 1],
      ['UPDATED', 2],
      ['PAUSED', 3],
      ['ACTIVATED', 4],
      ['DELETED', 5],
    ]);
    expect(mine.every((m) => m.accountId === created.body.accountId && m.huntId === id)).toBe(true);
  });

  it('names the field of every validation error and writes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [huntInput({ priceMin: 30_000, priceMax: 20_000 }), 'body/priceMin'],
      [huntInput({ modelYearMin: 2020, modelYearMax: 2010 }), 'body/modelYearMin'],
      [huntInput({ radiusKm: -1 }), 'body/radiusKm'],
      [huntInput({ adType: 'bateaux' }), 'body/adType'],
      [huntInput({ outreach: { channel: 'sms', template: 'Bonjour {{prenom}}' } }), 'body/outreach/template'],
      [{ ...huntInput(), location: undefined }, 'body/location'],
      [{ ...huntInput(), location: { ...PLACES.lyon, lat: 123 } }, 'body/location/lat'],
      [{ ...huntInput(), colour: 'red' }, 'body/colour'],
      [huntInput({ brands: ['  '] }), 'body/brands/0'],
    ];
    const before = await t.db('hunts').count<{ count: string }[]>('* as count');
    for (const [body, field] of cases) {
      const response = await http.api.post<{ field: string; message: string }>('/v1/hunts', body);
      expect(response.status, field).toBe(400);
      expect(response.body.field).toBe(field);
      expect(response.body.message.startsWith(field)).toBe(true);
    }
    const created = await http.api.post<HuntJson>('/v1/hunts', huntInput({ priceMin: 5_000 }));
    const patched = await http.api.patch<{ field: string }>(`/v1/hunts/${created.body.id}`, { priceMax: 1_000 });
    expect(patched).toMatchObject({ status: 400, body: { field: 'body/priceMin' } });
    expect((await http.api.get<HuntJson>(`/v1/hunts/${created.body.id}`)).body.version).toBe(1);
    expect(Number((await t.db('hunts').count<{ count: string }[]>('* as count'))[0]!.count)).toBe(
      Number(before[0]!.count) + 1,
    );
  });

  it("lists an account's hunts and never another account's", async () => {
    const a = randomUUID();
    const b = randomUUID();
    const a1 = await http.api.post<HuntJson>('/v1/hunts', huntInput({ accountId: a, name: 'first' }));
    const a2 = await http.api.post<HuntJson>('/v1/hunts', huntInput({ accountId: a, name: 'second' }));
    await http.api.post('/v1/hunts', huntInput({ accountId: b }));
    const list = await http.api.get<{ hunts: HuntJson[] }>(`/v1/accounts/${a}/hunts`);
    expect(list.body.hunts.map((h) => h.id)).toEqual([a1.body.id, a2.body.id]);
    expect((await http.api.get<{ hunts: HuntJson[] }>(`/v1/accounts/${randomUUID()}/hunts`)).body.hunts).toEqual([]);
  });

  it('creates an account explicitly or on first use', async () => {
    const account = await http.api.post<{ id: string; name: string }>('/v1/accounts', { name: 'Garage du Rhône' });
    expect(account).toMatchObject({ status: 201, body: { name: 'Garage du Rhône' } });
    const implicit = randomUUID();
    await http.api.post('/v1/hunts', huntInput({ accountId: implicit }));
    expect(await t.db('accounts').where({ id: implicit }).first()).toBeDefined();
  });
});
