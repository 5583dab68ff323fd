// Contact hours, with an injected clock: a match at 21:30 in Paris is decided at
// once (lead contacte, message, SendMessage), and its message goes out at 08:00 the next opening,
// while other messages are not held up. Every attempt is checked again at the moment of its call,
// where the seller lives.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/platform/clock.js';
import { startFakeGateway } from '../../../testkit/fakeGateway.js';
import { adInput, huntInput } from '../../../testkit/fixtures.js';
import { apiClient } from '../../../testkit/http.js';
import { TOKENS, useTestEnv } from '../../../testkit/testEnv.js';
import { waitFor } from '../../../testkit/waitFor.js';
import { postHunt } from '../../../testkit/hunts.js';

const t = useTestEnv();
let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
let http: ReturnType<typeof apiClient>;

// Tuesday 1 December 2026, 21:30 in Paris (UTC+1). The clock moves only when a test moves it.
let now = new Date('2026-12-01T20:30:00Z');
const clock: Clock = { now: () => now };
const WEEKDAYS_8_TO_20: { days: number[]; from: string; to: string; holidays?: boolean } = {
  days: [1, 2, 3, 4, 5, 6],
  from: '08:00',
  to: '20:00',
};

beforeAll(async () => {
  gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN);
  const service = await t.startService(
    {
      ROLES: 'api,relay,matcher,sender',
      MESSAGE_GATEWAY_URL: gateway.url,
      SEND_POLL_MS: '100',
      CONTACT_HOURS_DEFAULT: '1-6 08:00-20:00',
    },
    { clock },
  );
  http = apiClient(service.url);
});
afterAll(() => gateway.close());

async function huntFor(brand: string, contactHours?: typeof WEEKDAYS_8_TO_20 | null) {
  const accountId = randomUUID();
  const hunt = await postHunt<{ id: string; contactHours: unknown }>(
    http,
    t.db,
    huntInput({ accountId, brands: [brand], ...(contactHours === undefined ? {} : { contactHours }) }),
  );
  return { accountId, hunt: hunt };
}

interface MessageRow {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
}

describe('contact hours', () => {
  it('decides a match at 21:30 Paris time at once, and sends its message at 08:00 the next opening; other messages go out meanwhile', async () => {
    const brand = `Heures-${randomUUID().slice(0, 8)}`;
    const night = await huntFor(brand, WEEKDAYS_8_TO_20);
    const anyTime = await huntFor(`${brand}-nuit`, null);
    const ad = adInput({ brand, phone: '+33613000001' });
    const other = adInput({ brand: `${brand}-nuit`, phone: '+33613000002' });
    expect((await http.ingest.post('/v1/ads', { ads: [ad, other] })).status).toBe(202);

    const message = await waitFor(() => t.db('messages').where({ account_id: night.accountId }).first<MessageRow>(), {
      message: 'message decided',
    });
    expect(await t.db('leads').where({ account_id: night.accountId }).first()).toMatchObject({
      stage: 'contacte',
      reason: null,
    });
    // Wednesday 2 December, 08:00 in Paris.
    expect(message.next_attempt_at.toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(message).toMatchObject({ status: 'pending', attempts: 0 });

    // The message of the hunt without a window goes out now, and the sender has consumed both SendMessage.
    await waitFor(() => gateway.requests.some((r) => r.body.to === other.phone), {
      message: 'the other message sent at once',
    });
    await t.waitForConsumerGroup('sender', 'messages.send');
    expect(gateway.requests.filter((r) => r.body.to === ad.phone)).toHaveLength(0);
    expect(await t.db('messages').where({ id: message.id }).first<MessageRow>()).toMatchObject({
      status: 'pending',
      attempts: 0,
    });

    // 07:59 in Paris: still held.
    now = new Date('2026-12-02T06:59:00Z');
    await t.waitForConsumerGroup('sender', 'messages.send');
    expect(gateway.requests.filter((r) => r.body.to === ad.phone)).toHaveLength(0);

    // 08:00: sent, once.
    now = new Date('2026-12-02T07:00:00Z');
    const sent = await waitFor(
      async () => {
        const m = await t.db('messages').where({ id: message.id }).first<MessageRow>();
        return m?.status === 'sent' ? m : undefined;
      },
      { message: 'sent at the opening' },
    );
    expect(sent.attempts).toBe(1);
    expect(gateway.requests.filter((r) => r.body.to === ad.phone)).toHaveLength(1);
    expect(anyTime.hunt.contactHours).toBeNull();
  });

  it('holds a match decided on a public holiday until the next opening, unless the window opens on holidays', async () => {
    const brand = `Ferie-${randomUUID().slice(0, 8)}`;
    const closedOnHolidays = await huntFor(brand, WEEKDAYS_8_TO_20);
    const openOnHolidays = await huntFor(`${brand}-ouvert`, { ...WEEKDAYS_8_TO_20, holidays: true });
    expect(openOnHolidays.hunt.contactHours).toEqual({ ...WEEKDAYS_8_TO_20, holidays: true });
    // Friday 25 December 2026 (Noël), 10:00 in Paris: inside Monday-Saturday 08:00-20:00, but a holiday.
    now = new Date('2026-12-25T09:00:00Z');
    const ads = [
      adInput({ brand, phone: '+33613000003' }),
      adInput({ brand: `${brand}-ouvert`, phone: '+33613000004' }),
    ];
    expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
    const held = await waitFor(
      () => t.db('messages').where({ account_id: closedOnHolidays.accountId }).first<MessageRow>(),
      { message: 'message decided' },
    );
    // Saturday 26 December, 08:00 in Paris: the next day the window opens.
    expect(held.next_attempt_at.toISOString()).toBe('2026-12-26T07:00:00.000Z');
    const open = await waitFor(
      () => t.db('messages').where({ account_id: openOnHolidays.accountId }).first<MessageRow>(),
      { message: 'message decided' },
    );
    expect(open.next_attempt_at.toISOString()).toBe('2026-12-25T09:00:00.000Z');
    await waitFor(() => gateway.requests.some((r) => r.body.to === '+33613000004'), {
      message: 'the window open on holidays sends at once',
    });
    expect(gateway.requests.filter((r) => r.body.to === '+33613000003')).toHaveLength(0);
  });

  it('shows and changes contactHours through the hunts API: the default for a new hunt, null for any time, 400 for an invalid window', async () => {
    const { hunt } = await huntFor(`Fenetre-${randomUUID().slice(0, 8)}`);
    // CONTACT_HOURS_DEFAULT applies when the body gives none.
    expect(hunt.contactHours).toEqual(WEEKDAYS_8_TO_20);
    const shown = await http.api.get<{ contactHours: unknown }>(`/v1/hunts/${(hunt as unknown as { id: string }).id}`);
    expect(shown.body.contactHours).toEqual(WEEKDAYS_8_TO_20);
    const id = (hunt as unknown as { id: string }).id;

    const weekend = { days: [6, 7], from: '09:30', to: '18:00' };
    const patched = await http.api.patch<{ contactHours: unknown; version: number }>(`/v1/hunts/${id}`, {
      contactHours: weekend,
    });
    expect(patched).toMatchObject({ status: 200, body: { contactHours: weekend, version: 2 } });
    expect((await http.api.get<{ contactHours: unknown }>(`/v1/hunts/${id}`)).body.contactHours).toEqual(weekend);
    expect(
      (await http.api.patch<{ contactHours: unknown }>(`/v1/hunts/${id}`, { contactHours: null })).body.contactHours,
    ).toBeNull();

    const invalid: Array<[unknown, string]> = [
      [{ days: [1], from: '20:00', to: '08:00' }, 'body/contactHours/to'],
      [{ days: [0], from: '08:00', to: '20:00' }, 'body/contactHours/days/0'],
      [{ days: [], from: '08:00', to: '20:00' }, 'body/contactHours/days'],
      [{ days: [1], from: '8h', to: '20:00' }, 'body/contactHours/from'],
      [{ days: [1], from: '08:00' }, 'body/contactHours/to'],
    ];
    for (const [contactHours, field] of invalid) {
      const response = await http.api.patch<{ field: string }>(`/v1/hunts/${id}`, { contactHours });
      expect(response.status, JSON.stringify(contactHours)).toBe(400);
      expect(response.body.field, JSON.stringify(contactHours)).toBe(field);
    }
    expect((await http.api.get<{ contactHours: unknown; version: number }>(`/v1/hunts/${id}`)).body).toMatchObject({
      contactHours: null,
      version: 3,
    });
  });

  it('does not send at 20:01 an attempt that was due at 19:59, and tells the gateway when the window closes', async () => {
    const brand = `Soir-${randomUUID().slice(0, 8)}`;
    const phone = '+33613000011';
    // Tuesday 1 December 2026, 19:59 in Paris.
    now = new Date('2026-12-01T18:59:00Z');
    gateway.script((request) => (request.body.to === phone ? { status: 503 } : { status: 202 }));
    try {
      const { accountId } = await huntFor(brand, WEEKDAYS_8_TO_20);
      expect((await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] })).status).toBe(202);
      // Attempted at 19:59 (the gateway is down): a retry is due seconds later.
      const retry = await waitFor(
        async () => {
          const m = await t.db('messages').where({ account_id: accountId }).first<MessageRow>();
          return m?.attempts === 1 && m.next_attempt_at.getTime() > now.getTime() ? m : undefined;
        },
        { message: 'first attempt made' },
      );
      const first = gateway.requests.find((r) => r.body.to === phone)!;
      expect((first.body as { validUntil?: string }).validUntil).toBe('2026-12-01T19:00:00.000Z');
      // 20:01: the retry is due, but the window closed: it waits for 08:00, uncounted.
      now = new Date('2026-12-01T19:01:00Z');
      const deferred = await waitFor(
        async () => {
          const m = await t.db('messages').where({ id: retry.id }).first<MessageRow>();
          return m && m.next_attempt_at.toISOString() === '2026-12-02T07:00:00.000Z' ? m : undefined;
        },
        { message: 'deferred to the next opening' },
      );
      expect(deferred).toMatchObject({ status: 'pending', attempts: 1 });
      expect(gateway.requests.filter((r) => r.body.to === phone)).toHaveLength(1);
    } finally {
      gateway.script(() => ({ status: 202 }));
    }
  });

  it('keeps a Guadeloupe number’s hours in Guadeloupe: 10:00 in Paris is 05:00 there', async () => {
    const brand = `Antilles-${randomUUID().slice(0, 8)}`;
    const guadeloupe = '+590690123456';
    const lyon = '+33613000012';
    // Tuesday 1 December 2026, 10:00 in Paris, 05:00 in Guadeloupe.
    now = new Date('2026-12-01T09:00:00Z');
    const { accountId } = await huntFor(brand, WEEKDAYS_8_TO_20);
    const ads = [adInput({ brand, phone: guadeloupe }), adInput({ brand, phone: lyon })];
    expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
    await waitFor(() => gateway.requests.some((r) => r.body.to === lyon), { message: 'Lyon contacted at once' });
    const held = await waitFor(
      () => t.db('messages').where({ account_id: accountId, recipient: guadeloupe }).first<MessageRow>(),
      { message: 'decided' },
    );
    // 08:00 in Guadeloupe (UTC-4).
    expect(held.next_attempt_at.toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(gateway.requests.filter((r) => r.body.to === guadeloupe)).toHaveLength(0);
    now = new Date('2026-12-01T12:00:00Z');
    await waitFor(() => gateway.requests.some((r) => r.body.to === guadeloupe), {
      message: 'sent at 08:00 in Guadeloupe',
    });
    // Its window closes at 20:00 there, midnight in UTC.
    expect((gateway.requests.find((r) => r.body.to === guadeloupe)!.body as { validUntil?: string }).validUntil).toBe(
      '2026-12-02T00:00:00.000Z',
    );
  });
});
