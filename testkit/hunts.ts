// What many integration tests do first: a hunt posted through the API, and its backfill done; and the
// daily tick they run to catch up.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Db } from '../src/db/knex.js';
import { localTime } from '../src/domain/calendar.js';
import type { CreateHuntBody } from '../src/producers/hunts/huntInput.js';
import { adInput, huntInput } from './fixtures.js';
import type { apiClient } from './http.js';
import { messageOf, settledMessage } from './rows.js';
import { waitFor } from './waitFor.js';

/** POSTs a hunt and waits for its backfill (last_scan_at set): from then on it matches every new ad. */
export async function postHunt<T extends { id: string } = { id: string }>(
  http: ReturnType<typeof apiClient>,
  db: Db,
  body: unknown,
): Promise<T> {
  const response = await http.api.post<T>('/v1/hunts', body);
  expect(response.status).toBe(201);
  await waitFor(
    async () => (await db('hunts').where({ id: response.body.id }).whereNotNull('last_scan_at').first()) !== undefined,
    { message: 'hunt backfilled' },
  );
  return response.body;
}

/** A hunt for one brand in an account of its own (unless given), posted and backfilled. */
export async function huntForBrand(
  http: ReturnType<typeof apiClient>,
  db: Db,
  brand: string,
  overrides: Partial<CreateHuntBody> = {},
  accountId: string = randomUUID(),
): Promise<{ accountId: string; huntId: string }> {
  const hunt = await postHunt(http, db, huntInput({ accountId, brands: [brand], ...overrides }));
  return { accountId, huntId: hunt.id };
}

/**
 * A dealer's hunt for `brand` (with `hunt`'s settings), a seller's ad with `phone` posted, and the dealer's
 * message once `status` (without one: as soon as it is decided, whatever its status).
 */
export async function messageToSeller(
  http: ReturnType<typeof apiClient>,
  db: Db,
  { brand, phone, hunt = {} }: { brand: string; phone: string; hunt?: Partial<CreateHuntBody> },
  status?: 'sent' | 'failed',
) {
  const { accountId, huntId } = await huntForBrand(http, db, brand, hunt);
  expect((await http.ingest.post('/v1/ads', { ads: [adInput({ brand, phone })] })).status).toBe(202);
  const message = await (status ? settledMessage(db, accountId, status) : messageOf(db, accountId));
  return { accountId, huntId, message };
}

/**
 * `count` ads of the hunt's brand in one request, and the wait for their `count` leads contacted. The
 * first ad's lead sits at the bottom of its column (new leads go on top): its id and its seller's phone.
 */
export async function contactedColumn(
  http: ReturnType<typeof apiClient>,
  db: Db,
  { accountId, brand, count }: { accountId: string; brand: string; count: number },
): Promise<{ bottom: { id: string; phone: string } }> {
  const ads = Array.from({ length: count }, (_, i) => adInput({ brand, title: `${brand} n°${i}` }));
  expect((await http.ingest.post('/v1/ads', { ads })).status).toBe(202);
  await waitFor(async () => (await db('leads').where({ account_id: accountId, stage: 'contacte' })).length === count, {
    message: `${count} leads contacted`,
  });
  const bottom = (await db('leads')
    .where({ account_id: accountId })
    .orderBy('position', 'desc')
    .first('id', 'ad_id')) as { id: string; ad_id: string };
  const { phone } = (await db('ads').where({ id: bottom.ad_id }).first('phone')) as { phone: string };
  return { bottom: { id: bottom.id, phone } };
}

/** POSTs the daily tick of `day` (YYYY-MM-DD) and waits until it has completed. */
export async function runDailyTick(http: ReturnType<typeof apiClient>, db: Db, day: string): Promise<void> {
  expect((await http.cron.post('/v1/ticks', { date: day })).status).toBe(202);
  await waitFor(
    async () =>
      (await db('ticks')
        .where({ tick_id: `daily:${day}` })
        .whereNotNull('completed_at')
        .first()) !== undefined,
    { message: 'tick completed' },
  );
}

/** The ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD day. */
export const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;

/** Contact hours that open two days from now, Paris time: what is decided now waits, pending, until the test makes it due. */
export const closedForNow = () => ({
  days: [isoWeekday(localTime(new Date(Date.now() + 2 * 86_400_000), 'Europe/Paris').day)],
  from: '08:00',
  to: '20:00',
});
