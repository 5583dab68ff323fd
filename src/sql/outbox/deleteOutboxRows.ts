import type pg from 'pg';

/** Deletes published rows, on the relay's own session (where synchronous_commit is off). */
export async function deleteOutboxRows(client: pg.Client, ids: number[]): Promise<void> {
  await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
}
