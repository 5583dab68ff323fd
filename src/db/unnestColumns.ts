import type { Knex } from 'knex';

/**
 * Rows as one array parameter per column, in the order of `keys`, for a statement that reads them back with
 * `unnest(?::uuid[], ?::text[], ...)`: one statement shape whatever the number of rows, where a VALUES list would
 * make a new one (and a new plan) for every count. A null stays null inside its array: pg sends it as NULL, though
 * knex's binding type knows only arrays without nulls (hence the cast).
 */
export function unnestColumns<T, K extends keyof T>(rows: readonly T[], keys: readonly K[]): Knex.RawBinding[] {
  return keys.map((k) => rows.map((r) => r[k])) as Knex.RawBinding[];
}
