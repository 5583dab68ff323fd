import type pg from 'pg';

// The tables that only ever grow unless pruned, each with the column (indexed) that tells a row's age:
// - inbox: the event ids each consumer applied (src/consumers/pipeline), kept for redelivery, which never
//   reaches back further than INBOX_RETENTION_DAYS;
// - hunt_daily_contacts: the pacing counters, read only for the current day (src/sql/pacing.ts).
// (The outbox holds only the backlog: the relay deletes each row once the broker acknowledged it.)
export const AGED_TABLES = {
  inbox: `DELETE FROM inbox WHERE (consumer, event_id) IN (
            SELECT consumer, event_id FROM inbox WHERE processed_at < $1 ORDER BY processed_at LIMIT $2)`,
  hunt_daily_contacts: `DELETE FROM hunt_daily_contacts WHERE (hunt_id, day) IN (
            SELECT hunt_id, day FROM hunt_daily_contacts WHERE day < $1::date ORDER BY day LIMIT $2)`,
} as const;

export type AgedTable = keyof typeof AGED_TABLES;

/** Deletes at most `limit` rows of `table` older than `before`, oldest first (by its age index). Returns how many. */
export async function deleteOldRows(client: pg.Client, table: AgedTable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await client.query(AGED_TABLES[table], [before, limit]);
  return rowCount ?? 0;
}
