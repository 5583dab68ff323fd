import type { Db } from '../../db/knex.js';

/** Rows waiting for the relay, and when the oldest of them was written. */
export async function outboxBacklog(db: Db): Promise<{ rows: number; oldest: Date | null }> {
  const row = await db('outbox').first<{ n: number; oldest: Date | null }>(
    db.raw('count(*)::int AS n'),
    db.raw('min(created_at) AS oldest'),
  );
  return { rows: row?.n ?? 0, oldest: row?.oldest ?? null };
}
