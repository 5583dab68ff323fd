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

/** Writes events into the outbox in the caller's transaction: they exist exactly when it commits. */
export async function insertOutboxRows(trx: Trx, rows: OutboxRecord[]): Promise<void> {
  // One multi-row INSERT per call, in chunks that stay under PostgreSQL's 65535 parameters.
  for (let i = 0; i < rows.length; i += 5000) await trx('outbox').insert(rows.slice(i, i + 5000));
}
