// The inbox: event ids a consumer group has applied, written in the transaction of their effects.
import type { Trx } from '../db/knex.js';

/**
 * Records `eventIds` as applied by `consumer` and returns the ones that were not already there: a
 * duplicate (redelivered, or applied concurrently by another instance) loses on the primary key.
 */
export async function insertInboxRows(trx: Trx, consumer: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const inserted = await trx('inbox')
    .insert(eventIds.map((id) => ({ consumer, event_id: id })))
    .onConflict(['consumer', 'event_id'])
    .ignore()
    .returning<Array<{ event_id: string }>>('event_id');
  return new Set(inserted.map((r) => r.event_id));
}
