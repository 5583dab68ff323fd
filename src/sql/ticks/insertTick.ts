import type { Db, Trx } from '../../db/knex.js';

export interface TickRecord {
  tickId: string;
  day: string;
  eventId: string;
  requestedBy: string;
  createdAt: Date;
}

/**
 * Records the day's tick; false when it exists already. No conflict target: tick_id and day are
 * both unique, and a concurrent insert may hit either.
 */
export async function insertTick(db: Db | Trx, tick: TickRecord): Promise<boolean> {
  const inserted = await db('ticks')
    .insert({
      tick_id: tick.tickId,
      day: tick.day,
      event_id: tick.eventId,
      requested_by: tick.requestedBy,
      created_at: tick.createdAt,
    })
    .onConflict()
    .ignore()
    .returning('tick_id');
  return inserted.length > 0;
}
