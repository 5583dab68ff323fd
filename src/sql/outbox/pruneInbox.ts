import type { Db } from '../../db/knex.js';

/** Deletes the consumer's inbox rows older than `days`: redelivery never reaches that far back. Returns how many. */
export async function pruneInbox(db: Db, consumer: string, days: number): Promise<number> {
  return db('inbox')
    .where({ consumer })
    .where('processed_at', '<', db.raw(`now() - make_interval(days => ?)`, [days]))
    .delete();
}
