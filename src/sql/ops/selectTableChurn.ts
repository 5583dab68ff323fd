import type pg from 'pg';

/** A table's rows and churn as the statistics collector counts them, with its storage options. */
export interface TableChurn {
  table: string;
  live: number;
  dead: number;
  /** Rows inserted, updated or deleted since the table's last ANALYZE. */
  changed: number;
  options: string[] | null;
}

/** Every table of the current schema. */
export async function selectTableChurn(client: pg.Client): Promise<TableChurn[]> {
  const { rows } = await client.query<TableChurn>(
    `SELECT s.relname AS "table", s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
            s.n_mod_since_analyze::float8 AS changed, c.reloptions AS options
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.schemaname = current_schema()`,
  );
  return rows;
}
