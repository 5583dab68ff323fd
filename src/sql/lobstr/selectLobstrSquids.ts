import type { Db } from '../../db/knex.js';

export interface LobstrSquidRow {
  squid: string;
  next_pass_at: Date;
  last_pass_at: Date | null;
  last_error: string | null;
  runs_found: number;
}

/** Where the reconciliation of these squids stands (a squid never reconciled yet is absent). */
export async function selectLobstrSquids(db: Db, squids: string[]): Promise<LobstrSquidRow[]> {
  if (squids.length === 0) return [];
  return (await db('lobstr_squids')
    .whereIn('squid', squids)
    .orderBy('squid')
    .select('squid', 'next_pass_at', 'last_pass_at', 'last_error', 'runs_found')) as LobstrSquidRow[];
}
