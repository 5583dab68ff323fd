import type { Db, Trx } from '../../db/knex.js';
import type { Hunt } from '../../domain/types.js';
import { huntFromRow, OLDEST_FIRST, type HuntRow } from './huntRow.js';

/** Active, not deleted hunts, oldest first; all of them, or those of some accounts. */
export async function loadActiveHunts(db: Db | Trx, filter: { accountIds?: string[] } = {}): Promise<Hunt[]> {
  const q = db<HuntRow>('hunts').whereNull('deleted_at').where({ status: 'active' });
  if (filter.accountIds) q.whereRaw('account_id = ANY(?::uuid[])', [filter.accountIds]);
  return ((await q.orderBy(OLDEST_FIRST)) as HuntRow[]).map(huntFromRow);
}
