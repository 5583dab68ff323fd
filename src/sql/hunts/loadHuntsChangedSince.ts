import type { Db, Trx } from '../../db/knex.js';
import { huntFromRow, type HuntRow } from './huntRow.js';
import type { StoredHunt } from './loadHunt.js';
import { shareStrings, stringPool, type StringPool } from './shareStrings.js';

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
 * the snapshot of this read, for the next one.
 *
 * Rows are stamped with their writer's transaction id (hunts.change_xid, migration 016). A snapshot
 * says of every transaction whether it had finished when the snapshot was taken: those below xmax and
 * not listed in xip had, the others (xip, and xmax onwards) had not. A row version visible now whose
 * writer had finished at `since` was visible at `since` and read then; so the rows to read are exactly
 * those whose writer was listed in xip or came at or after xmax. A transaction that took its id first
 * and committed last is in xip, so it is read when it lands, however long it took; nothing is read twice,
 * and no clock is involved. The snapshot is taken by this very statement (pg_current_snapshot() is the
 * statement's own), so it describes exactly what the scan saw. The caller's transaction must not write
 * hunts (a snapshot does not list its own transaction). The hunts of one read share their repeated
 * strings (src/sql/hunts/shareStrings.ts): the index holds them all.
 */
export async function loadHuntsChangedSince(db: Db | Trx, since: HuntReadHorizon): Promise<HuntChanges> {
  const { rows } = await db.raw<{ rows: Array<HuntRow & { horizon: string }> }>(
    // The two conditions as constants (not a subquery on the snapshot), so that the planner
    // estimates them on the index on change_xid: a handful of rows, two index range scans.
    `SELECT s.horizon::text AS horizon, h.*
     FROM (SELECT pg_current_snapshot() AS horizon) s
     LEFT JOIN hunts h ON h.change_xid >= ?::xid8 OR h.change_xid = ANY (?::xid8[])`,
    unfinishedAt(since),
  );
  const pool = stringPool();
  return {
    horizon: rows[0]!.horizon,
    // One row with no hunt when nothing matched (the LEFT JOIN keeps the snapshot).
    hunts: rows.filter((r) => r.id !== null).map((r) => storedHunt(r, pool)),
  };
}

/** Rows fetched a page at a time by the full load: its garbage never holds every row at once. */
const LOAD_PAGE = 10_000;

/**
 * Every active hunt, and the snapshot of the read, for loadHuntsChangedSince next. One scan of the
 * table through a cursor, fetched a page at a time, in one REPEATABLE READ transaction, so that the
 * pages and the snapshot (its first statement's) are one view.
 */
export function loadActiveHuntsWithHorizon(db: Db, pageSize = LOAD_PAGE): Promise<HuntChanges> {
  return db.transaction(
    async (trx) => {
      const { rows } = await trx.raw<{ rows: Array<{ horizon: string }> }>(
        'SELECT pg_current_snapshot()::text AS horizon',
      );
      await trx.raw(`DECLARE active_hunts NO SCROLL CURSOR FOR
                     SELECT * FROM hunts WHERE deleted_at IS NULL AND status = 'active'`);
      const pool = stringPool();
      const hunts: StoredHunt[] = [];
      for (;;) {
        const page = (await trx.raw<{ rows: HuntRow[] }>(`FETCH ${Number(pageSize)} FROM active_hunts`)).rows;
        for (const r of page) hunts.push(storedHunt(r, pool));
        if (page.length < pageSize) return { horizon: rows[0]!.horizon, hunts };
      }
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

const storedHunt = (r: HuntRow, pool: StringPool): StoredHunt =>
  shareStrings(Object.assign(huntFromRow(r), { deleted: r.deleted_at != null }), pool);

/** [xmax, xip]: from xmax on, and the ids listed in progress, a transaction had not finished. */
function unfinishedAt(horizon: HuntReadHorizon): [string, string[]] {
  const [, xmax, xip] = horizon.split(':');
  if (xmax === undefined || xip === undefined) throw new Error(`not a pg_snapshot: ${horizon}`);
  return [xmax, xip === '' ? [] : xip.split(',')];
}
