import type { Db } from '../db/knex.js';

/**
 * Pending messages whose attempt is due and not leased: retries, and first attempts whose
 * SendMessage has not arrived for a while (a safety net: the event is the normal path). Oldest due first.
 */
export async function selectDueMessages(db: Db, limit: number): Promise<string[]> {
  return (await db('messages')
    .where({ status: 'pending' })
    .where('next_attempt_at', '<=', db.fn.now())
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .where((q) => q.where('attempts', '>', 0).orWhereRaw(`created_at < now() - interval '30 seconds'`))
    .orderBy('next_attempt_at')
    .limit(limit)
    .pluck('id')) as string[];
}
