import type { Db } from '../../db/knex.js';

/** How many of these ads the account already has as leads (one query, whatever the number of ads). */
export async function countAccountLeads(db: Db, accountId: string, adIds: string[]): Promise<number> {
  if (adIds.length === 0) return 0;
  const { rows } = await db.raw<{ rows: Array<{ count: string }> }>(
    `SELECT count(*) AS count FROM leads WHERE account_id = ? AND ad_id = ANY(?::uuid[])`,
    [accountId, adIds],
  );
  return Number(rows[0]!.count);
}
