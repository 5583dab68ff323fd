import type { Db, Trx } from '../db/knex.js';
import type { Hunt } from '../domain/types.js';
import { huntFromRow, OLDEST_FIRST, type HuntRow } from './rows/huntRow.js';

/** Active, not deleted hunts, oldest first; all of them, or one account's. */
export async function loadActiveHunts(db: Db | Trx, filter: { accountId?: string } = {}): Promise<Hunt[]> {
  const q = db<HuntRow>('hunts').whereNull('deleted_at').where({ status: 'active' });
  if (filter.accountId) q.where({ account_id: filter.accountId });
  return ((await q.orderBy(OLDEST_FIRST)) as HuntRow[]).map(huntFromRow);
}
