import type { Trx } from '../../db/knex.js';
import { huntFromRow, type HuntRow } from './huntRow.js';
import type { StoredHunt } from './loadHunt.js';

export type HuntToBackfill = StoredHunt & {
  /** The transaction that wrote this version (hunts.change_xid, xid8 as text). */
  changeXid: string;
  /** Never scanned, or its criteria changed since its last scan (src/domain/huntCriteria.ts). */
  criteriaChangedSinceScan: boolean;
};

/** The hunts of a backfill batch as they are now (a hunt that never existed is absent), in one statement. */
export async function loadHuntsToBackfill(trx: Trx, ids: string[]): Promise<Map<string, HuntToBackfill>> {
  if (ids.length === 0) return new Map();
  const { rows } = await trx.raw<{ rows: Array<HuntRow & { changed: boolean }> }>(
    `SELECT h.*, (h.last_scan_at IS NULL OR h.criteria_changed_at > h.last_scan_at) AS changed
       FROM hunts h WHERE h.id = ANY(?::uuid[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        ...huntFromRow(r),
        deleted: r.deleted_at != null,
        changeXid: r.change_xid!,
        criteriaChangedSinceScan: r.changed,
      },
    ]),
  );
}
