import type { Db } from '../db/knex.js';

/**
 * Pending messages whose attempt is due (by the service's clock) and not leased: retries, first
 * attempts held until their hunt's contact hours open, and first attempts whose SendMessage has not
 * arrived for a while (a safety net: the event is the normal path). Oldest due first.
 */
export async function selectDueMessages(db: Db, limit: number, now: Date): Promise<string[]> {
  return (await db('messages')
    .where({ status: 'pending' })
    .where('next_attempt_at', '<=', now)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .where((q) => q.where('attempts', '>', 0).orWhereRaw(`created_at < ?::timestamptz - interval '30 seconds'`, [now]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .pluck('id')) as string[];
}
