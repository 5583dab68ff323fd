import type { Db } from '../../db/knex.js';

/**
 * Pending messages whose attempt is due (by the service's clock) and not leased: retries, first
 * attempts moved to a later time (their hunt's contact hours, the send rate, a hold released), and
 * first attempts whose SendMessage has not arrived for a while (a safety net: the event is the
 * normal path; a message not moved since it was decided is due when it was created). Oldest due first.
 */
export async function selectDueMessages(db: Db, limit: number, now: Date): Promise<string[]> {
  return (await db('messages')
    .where({ status: 'pending' })
    .where('next_attempt_at', '<=', now)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
    .where((q) =>
      q
        .where('attempts', '>', 0)
        .orWhereRaw('next_attempt_at > created_at')
        .orWhereRaw(`created_at < ?::timestamptz - interval '30 seconds'`, [now]),
    )
    .orderBy('next_attempt_at')
    .limit(limit)
    .pluck('id')) as string[];
}
