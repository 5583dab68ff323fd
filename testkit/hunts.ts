// What many integration tests do first: a hunt posted through the API, and its backfill done.
import { expect } from 'vitest';
import type { Db } from '../src/db/knex.js';
import { localTime } from '../src/domain/calendar.js';
import type { apiClient } from './http.js';
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

const isoWeekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;

/** Contact hours that open two days from now, Paris time: what is decided now waits, pending, until the test makes it due. */
export const closedForNow = () => ({
  days: [isoWeekday(localTime(new Date(Date.now() + 2 * 86_400_000), 'Europe/Paris').day)],
  from: '08:00',
  to: '20:00',
});
