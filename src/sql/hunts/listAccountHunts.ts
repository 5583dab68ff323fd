import type { Db } from '../../db/knex.js';
import type { Hunt } from '../../domain/types.js';
import { huntFromRow, OLDEST_FIRST, type HuntRow } from './huntRow.js';

/** An account's hunts that are not deleted (active and paused), oldest first. */
export async function listAccountHunts(db: Db, accountId: string): Promise<Hunt[]> {
  const rows = (await db<HuntRow>('hunts')
    .whereNull('deleted_at')
    .where({ account_id: accountId })
    .orderBy(OLDEST_FIRST)) as HuntRow[];
  return rows.map(huntFromRow);
}
