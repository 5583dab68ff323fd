import type { Db, Trx } from '../../db/knex.js';

/** Which of `eventIds` the consumer group `consumer` has applied already. */
export async function selectSeenEventIds(db: Db | Trx, consumer: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const ids = (await db('inbox').where({ consumer }).whereIn('event_id', eventIds).pluck('event_id')) as string[];
  return new Set(ids);
}
