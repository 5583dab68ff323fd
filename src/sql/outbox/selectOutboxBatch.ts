import type { Db } from '../../db/knex.js';

export interface OutboxRow {
  id: number;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
  created_at: Date;
}

/** The relay's only read: the oldest rows of its shards, by primary key (an index scan once the backlog is large). */
export const SELECT_BATCH_SQL = `
  SELECT id, topic, key, headers, payload, created_at
    FROM outbox
   WHERE shard = ANY(?::smallint[])
   ORDER BY id
   LIMIT ?`;

export async function selectOutboxBatch(db: Db, shards: number[], limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.raw<{ rows: OutboxRow[] }>(SELECT_BATCH_SQL, [shards, limit]);
  return rows;
}
