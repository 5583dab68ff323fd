import type { Db, Trx } from '../db/knex.js';
import { huntFromRow, type HuntRow } from './rows/huntRow.js';
import type { StoredHunt } from './loadHunt.js';

/** Hunts written after `since`, deleted ones included (an index scan on hunts.updated_at). */
export async function loadHuntsChangedSince(db: Db | Trx, since: Date): Promise<StoredHunt[]> {
  const rows = (await db<HuntRow>('hunts').where('updated_at', '>', since)) as HuntRow[];
  return rows.map((r) => ({ ...huntFromRow(r), deleted: r.deleted_at != null }));
}
