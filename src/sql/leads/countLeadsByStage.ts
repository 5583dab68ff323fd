// How many leads an account has in each stage, and how many of them have a reply: the console's
// columns show a page of leads, and their headers the true counts.
import type { Db } from '../../db/knex.js';

export async function countLeadsByStage(
  db: Db,
  accountId: string,
): Promise<Map<string, { total: number; replied: number }>> {
  const rows = (await db('leads')
    .where({ account_id: accountId })
    .groupBy('stage')
    .select('stage', db.raw('count(*)::int AS total'), db.raw('count(replied_at)::int AS replied'))) as Array<{
    stage: string;
    total: number;
    replied: number;
  }>;
  return new Map(rows.map((r) => [r.stage, { total: r.total, replied: r.replied }]));
}
