// The inbox: event ids a consumer group has applied, written in the transaction of their effects.
import type { Trx } from '../../db/knex.js';

/**
 * Records `eventIds` as applied by `consumer` and returns the ones that were not already there: a
 * duplicate (redelivered, or applied concurrently by another instance) loses on the primary key.
 */
export async function insertInboxRows(trx: Trx, consumer: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const { rows } = await trx.raw<{ rows: Array<{ event_id: string }> }>(
    `INSERT INTO inbox (consumer, event_id) SELECT ?, unnest(?::uuid[]) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
}
