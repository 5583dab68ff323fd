import type { Trx } from '../db/knex.js';

export interface NewLeadRecord {
  id: string;
  accountId: string;
  adId: string;
  huntId: string;
}

export interface InsertedLead {
  id: string;
  accountId: string;
  adId: string;
  position: number;
}

/**
 * Inserts leads ('nouveau', on top of their column: positions count down) and returns the ones that
 * were new: an existing lead for (account, ad) means the account has that ad already.
 */
export async function insertNewLeads(trx: Trx, leads: NewLeadRecord[], now: Date): Promise<InsertedLead[]> {
  if (leads.length === 0) return [];
  const created = await trx('leads')
    .insert(leads.map((l) => ({ id: l.id, account_id: l.accountId, ad_id: l.adId, hunt_id: l.huntId, stage: 'nouveau', created_at: now, updated_at: now })))
    .onConflict(['account_id', 'ad_id'])
    .ignore()
    .returning<Array<{ id: string; account_id: string; ad_id: string; position: number }>>(['id', 'account_id', 'ad_id', 'position']);
  return created.map((r) => ({ id: r.id, accountId: r.account_id, adId: r.ad_id, position: r.position }));
}
