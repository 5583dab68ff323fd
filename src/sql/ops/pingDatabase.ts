import type { Db } from '../../db/knex.js';

/** Resolves when the database answers a query. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.raw('SELECT 1');
}
