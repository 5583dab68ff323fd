// Session-level advisory locks with two keys (namespace, key), on one dedicated connection:
// PostgreSQL releases them the moment that session ends (crash, kill -9, network loss).
import type pg from 'pg';

export async function tryAdvisoryLock(client: pg.Client, namespace: number, key: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [namespace, key]);
  return rows[0]?.ok === true;
}

export async function advisoryUnlock(client: pg.Client, namespace: number, key: number): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [namespace, key]);
}

/** How many sessions of this database hold a lock in `namespace` (each relay holds one presence lock). */
export async function countAdvisoryLockHolders(client: pg.Client, namespace: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND classid = $1 AND objsubid = 2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [namespace],
  );
  return rows[0]?.n ?? 0;
}
