import type { Db, Trx } from '../../db/knex.js';
import type { Hunt } from '../../domain/types.js';
import { huntFromRow, type HuntRow } from './huntRow.js';

export type StoredHunt = Hunt & { deleted: boolean };

/**
 * The hunt as it is now, deleted or not (undefined if it never existed). `forUpdate` takes the row
 * lock that serialises writers of one hunt, so versions and events follow commit order.
 */
export async function loadHunt(
  db: Db | Trx,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredHunt | undefined> {
  const q = db<HuntRow>('hunts').where({ id }).first();
  const row = (await (options.forUpdate ? q.forUpdate() : q)) as HuntRow | undefined;
  return row ? { ...huntFromRow(row), deleted: row.deleted_at != null } : undefined;
}
