// The account's identity as sellers see it: without a
// senderName (and no SENDER_NAME_DEFAULT), an account's leads are not contacted (no_sender_identity);
// PATCH /v1/accounts/:accountId sets it and the numbers the account sends from.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway } from '../../../testkit/fakeGateway.js';
import { adInput, newBrand } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { huntForBrand } from '../../../testkit/hunts.js';

const t = useTestEnv();
let http: ReturnType<typeof apiClient>;
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN);
  // No SENDER_NAME_DEFAULT: the rule applies as in production.
  http = apiClient(
    (
      await t.startService({
        ROLES: 'api,relay,matcher,sender',
        SENDER_NAME_DEFAULT: '',
        MESSAGE_GATEWAY_URL: gateway.url,
      })
    ).url,
  );
  return () => gateway.close();
});

const huntFor = async (brand: string, accountId?: string) =>
  (await huntForBrand(http, t.db, brand, {}, accountId)).accountId;

describe("an account's identity", () => {
  it('contacts nobody for an account without a senderName, and signs every SMS with it once set', async () => {
    const brand = newBrand('Identite');
    const accountId = await huntFor(brand);
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33614000001' })] });
    const lead = await waitFor(() =>
      t.db('leads').where({ account_id: accountId }).first<{ stage: string; reason: string }>(),
    );
    expect(lead).toMatchObject({ stage: 'nouveau', reason: 'no_sender_identity' });
    expect(await t.db('messages').where({ account_id: accountId })).toHaveLength(0);

    const patched = await http.api.patch(`/v1/accounts/${accountId}`, { senderName: 'Garage Dupont' });
    expect(patched).toMatchObject({
      status: 200,
      body: { id: accountId, senderName: 'Garage Dupont', senderNumbers: [] },
    });
    expect((await http.api.get(`/v1/accounts/${accountId}`)).body).toMatchObject({ senderName: 'Garage Dupont' });
    await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone: '+33614000002' })] });
    const message = await waitFor(() => t.db('messages').where({ account_id: accountId }).first<{ content: string }>());
    expect(message.content).toMatch(/^Garage Dupont : Bonjour Julie/);
    expect(message.content).toMatch(/\nRépondez STOP pour ne plus recevoir nos SMS$/);
    await waitFor(() => gateway.requests.some((r) => r.body.to === '+33614000002'), { message: 'sent' });
  });

  it('sets sender numbers, unique across accounts, and refuses what it cannot read, naming the field', async () => {
    const [a, b] = [await huntFor(newBrand('Identite')), await huntFor(newBrand('Identite'))];
    const set = await http.api.patch(`/v1/accounts/${a}`, {
      senderNumbers: ['07 57 00 00 11', 'whatsapp:+14155238886'],
    });
    expect(set).toMatchObject({
      status: 200,
      body: {
        senderNumbers: [
          { number: '+33757000011', channel: 'sms' },
          { number: 'whatsapp:+14155238886', channel: 'whatsapp' },
        ],
      },
    });
    expect(await http.api.patch(`/v1/accounts/${b}`, { senderNumbers: ['+33757000011'] })).toMatchObject({
      status: 409,
      body: { error: 'conflict' },
    });
    expect(await http.api.patch(`/v1/accounts/${b}`, { senderNumbers: ['+3375'] })).toMatchObject({
      status: 400,
      body: { field: 'body/senderNumbers/0' },
    });
    expect(await http.api.patch(`/v1/accounts/${b}`, { senderName: 'Crêperie' })).toMatchObject({
      status: 400,
      body: { field: 'body/senderName' },
    });
    expect(await http.api.patch(`/v1/accounts/${b}`, { senderName: 'x'.repeat(41) })).toMatchObject({
      status: 400,
      body: { field: 'body/senderName' },
    });
    expect(await http.api.patch(`/v1/accounts/${b}`, {})).toMatchObject({ status: 400 });
    expect(await http.api.patch(`/v1/accounts/${randomUUID()}`, { senderName: 'Garage' })).toMatchObject({
      status: 404,
    });
    expect(await t.db('account_sender_numbers').where({ account_id: b })).toHaveLength(0);
    // The numbers are replaced as a whole; a number let go is free for another account.
    expect((await http.api.patch(`/v1/accounts/${a}`, { senderNumbers: [] })).status).toBe(200);
    expect((await http.api.patch(`/v1/accounts/${b}`, { senderNumbers: ['+33757000011'] })).status).toBe(200);
  });

  it("answers an account's key for its own account only", async () => {
    const [a, b] = [await huntFor(newBrand('Identite')), await huntFor(newBrand('Identite'))];
    const key = (await http.api.post<{ key: string }>(`/v1/accounts/${a}/api-keys`)).body.key;
    expect((await http.call('PATCH', `/v1/accounts/${a}`, { senderName: 'Garage A' }, key)).status).toBe(200);
    expect((await http.call('GET', `/v1/accounts/${b}`, undefined, key)).status).toBe(404);
    expect((await http.call('PATCH', `/v1/accounts/${b}`, { senderName: 'Garage B' }, key)).status).toBe(404);
    expect((await http.call('GET', `/v1/accounts/${a}`, undefined, 'wrong')).status).toBe(401);
  });
});
