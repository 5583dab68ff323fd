// The newest accounts, for the console's account picker.
import type { Db } from '../../db/knex.js';

export async function listRecentAccounts(
  db: Db,
  limit: number,
): Promise<Array<{ id: string; name: string; createdAt: Date }>> {
  const rows = await db('accounts')
    .select<Array<{ id: string; name: string; created_at: Date }>>('id', 'name', 'created_at')
    .orderBy('created_at', 'desc')
    .limit(limit);
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
}
