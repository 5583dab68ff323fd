import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

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
 * One statement shape whatever the number of events, rows in the order given (their ids, which the
 * relay publishes in, follow it). The payloads travel as one binary parameter,
 * cut in SQL by their lengths, and the headers as one JSON array: a bytea[] or jsonb[] parameter would
 * be sent as text, every payload hex-encoded and every quote escaped by the driver, then parsed back
 * by the server, on the hottest statement of the service.
 */
export async function insertOutboxRows(trx: Trx, rows: OutboxRecord[]): Promise<void> {
  if (rows.length === 0) return;
  const offsets: number[] = [];
  let at = 0;
  for (const r of rows) {
    offsets.push(at);
    at += r.payload.length;
  }
  await trx.raw(
    `INSERT INTO outbox (shard, topic, key, event_id, event_type, headers, payload)
     SELECT r.shard, r.topic, r.key, r.event_id, r.event_type, h.value, substring(p.blob FROM r.off + 1 FOR r.len)
       FROM (SELECT ?::bytea AS blob) p,
            unnest(?::smallint[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::int[], ?::int[]) WITH ORDINALITY AS r(shard, topic, key, event_id, event_type, off, len, i)
       JOIN jsonb_array_elements(?::jsonb) WITH ORDINALITY AS h(value, i) ON h.i = r.i
      ORDER BY r.i`,
    [
      Buffer.concat(
        rows.map((r) => r.payload),
        at,
      ),
      ...unnestColumns(rows, ['shard', 'topic', 'key', 'event_id', 'event_type']),
      offsets,
      rows.map((r) => r.payload.length),
      JSON.stringify(rows.map((r) => r.headers)),
    ],
  );
}
