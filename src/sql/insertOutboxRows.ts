import type { Trx } from '../db/knex.js';

export interface OutboxRecord {
  shard: number;
  topic: string;
  key: string;
  event_id: string;
  event_type: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Writes events into the outbox in the caller's transaction: they exist exactly when it commits.
 * One array parameter per column: one statement shape whatever the number of events.
 */
export async function insertOutboxRows(trx: Trx, rows: OutboxRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `INSERT INTO outbox (shard, topic, key, event_id, event_type, headers, payload)
     SELECT * FROM unnest(?::smallint[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::jsonb[], ?::bytea[])`,
    [rows.map((r) => r.shard), rows.map((r) => r.topic), rows.map((r) => r.key), rows.map((r) => r.event_id), rows.map((r) => r.event_type), rows.map((r) => JSON.stringify(r.headers)), rows.map((r) => r.payload)],
  );
}
