import type { Db, Trx } from '../../db/knex.js';
import { huntFromRow, type HuntRow } from './huntRow.js';
import type { StoredHunt } from './loadHunt.js';

/**
 * Where the next read starts: the snapshot of the previous one (PostgreSQL's pg_snapshot, as text
 * `xmin:xmax:xip,...`). Every transaction it saw finished is behind the reader; the others are not.
 */
export type HuntReadHorizon = string;

export interface HuntChanges {
  hunts: StoredHunt[];
  horizon: HuntReadHorizon;
}

/**
 * The hunt rows written by transactions that had not finished at `since` (deleted ones included), and
 * the snapshot of this read, for the next one. Without `since`: every active hunt (the index's load).
 *
 * Rows are stamped with their writer's transaction id (hunts.change_xid, migration 016). A snapshot
 * says of every transaction whether it had finished when the snapshot was taken: those below xmax and
 * not listed in xip had, the others (xip, and xmax onwards) had not. A row version visible now whose
 * writer had finished at `since` was visible at `since` and read then; so the rows to read are exactly
 * those whose writer was listed in xip or came at or after xmax. A transaction that took its id first
 * and committed last is in xip, so it is read when it lands, however long it took; nothing is read twice,
 * and no clock is involved. The snapshot is taken by this very statement (pg_current_snapshot() is the
 * statement's own), so it describes exactly what the scan saw. The caller's transaction must not write
 * hunts (a snapshot does not list its own transaction).
 */
export async function loadHuntsChangedSince(db: Db | Trx, since: HuntReadHorizon | null): Promise<HuntChanges> {
  const { rows } =
    since === null
      ? await db.raw<{ rows: Array<HuntRow & { horizon: string }> }>(
          `SELECT s.horizon::text AS horizon, h.*
           FROM (SELECT pg_current_snapshot() AS horizon) s
           LEFT JOIN hunts h ON h.deleted_at IS NULL AND h.status = 'active'`,
        )
      : await db.raw<{ rows: Array<HuntRow & { horizon: string }> }>(
          // The two conditions as constants (not a subquery on the snapshot), so that the planner
          // estimates them on the index on change_xid: a handful of rows, two index range scans.
          `SELECT s.horizon::text AS horizon, h.*
           FROM (SELECT pg_current_snapshot() AS horizon) s
           LEFT JOIN hunts h ON h.change_xid >= ?::xid8 OR h.change_xid = ANY (?::xid8[])`,
          unfinishedAt(since),
        );
  return {
    horizon: rows[0]!.horizon,
    // One row with no hunt when nothing matched (the LEFT JOIN keeps the snapshot).
    hunts: rows.filter((r) => r.id !== null).map((r) => ({ ...huntFromRow(r), deleted: r.deleted_at != null })),
  };
}

/** [xmax, xip]: from xmax on, and the ids listed in progress, a transaction had not finished. */
function unfinishedAt(horizon: HuntReadHorizon): [string, string[]] {
  const [, xmax, xip] = horizon.split(':');
  if (xmax === undefined || xip === undefined) throw new Error(`not a pg_snapshot: ${horizon}`);
  return [xmax, xip === '' ? [] : xip.split(',')];
}
