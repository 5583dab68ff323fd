import type { Trx } from '../../db/knex.js';
import type { RecentAttempts } from '../../domain/sendRate.js';

/** Per account, the delivery attempts of the last minute and the oldest of them. */
export async function countRecentAttempts(trx: Trx, accountIds: string[]): Promise<Map<string, RecentAttempts>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await trx.raw<{ rows: Array<{ account_id: string; n: number; oldest: Date }> }>(
    `SELECT account_id, count(*)::int AS n, min(last_attempt_at) AS oldest FROM messages
      WHERE account_id = ANY(?::uuid[]) AND last_attempt_at > now() - interval '1 minute'
      GROUP BY account_id`,
    [[...new Set(accountIds)]],
  );
  return new Map(rows.map((r) => [r.account_id, { count: r.n, oldest: r.oldest }]));
}
