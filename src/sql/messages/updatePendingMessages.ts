import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

interface SqlTypes {
  text: string;
  timestamptz: Date;
  boolean: boolean;
}
/** A column's SQL type, and whether it may be null. */
type Column = keyof SqlTypes | `${keyof SqlTypes} null`;
type ValueOf<C extends Column> = C extends `${infer T extends keyof SqlTypes} null`
  ? SqlTypes[T] | null
  : C extends keyof SqlTypes
    ? SqlTypes[C]
    : never;

/** A row of such an update: the message's id and a value a column. */
export type PendingRow<C extends Record<string, Column>> = { id: string } & { -readonly [K in keyof C]: ValueOf<C[K]> };

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * One statement that updates the pending messages named by a list of rows, one a message: `columns` gives each
 * field's SQL type (which types the rows too), `set` assigns the message's columns (`m`) from its row's (`r`, a field
 * named in snake case), and updated_at is set to the time given. A message no longer pending (another attempt
 * settled it) is left alone, so the function answers the ids it changed. The statement is written once, with one
 * array parameter a column, so it keeps one plan whatever the number of rows.
 */
export function updatePendingMessages<const C extends Record<string, Column>>(columns: C, set: string) {
  const fields = Object.keys(columns);
  const sql = `UPDATE messages m SET ${set}, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ${fields.map((f) => `?::${columns[f]!.replace(' null', '')}[]`).join(', ')})
            AS r(id, ${fields.map(snakeCase).join(', ')})
      WHERE m.id = r.id AND m.status = 'pending'
      RETURNING m.id`;
  return async (trx: Trx, rows: ReadonlyArray<PendingRow<C>>, now: Date): Promise<Set<string>> => {
    if (rows.length === 0) return new Set();
    const { rows: changed } = await trx.raw<{ rows: Array<{ id: string }> }>(sql, [
      now,
      ...unnestColumns(rows, ['id', ...fields] as Array<keyof PendingRow<C>>),
    ]);
    return new Set(changed.map((r) => r.id));
  };
}

/** The rows an update made by updatePendingMessages takes. */
export type RowsOf<U extends (trx: Trx, rows: never, now: Date) => unknown> =
  Parameters<U>[1] extends ReadonlyArray<infer R> ? R : never;
