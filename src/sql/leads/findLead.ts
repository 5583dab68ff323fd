import type { Db } from '../../db/knex.js';

export interface LeadSummary {
  leadId: string;
  huntId: string;
  stage: string;
  reason: string | null;
}

/** The account's lead for an ad (there is at most one: leads are unique per account and ad). */
export async function findLead(db: Db, accountId: string, adId: string): Promise<LeadSummary | undefined> {
  const row = (await db('leads')
    .where({ account_id: accountId, ad_id: adId })
    .first('id', 'hunt_id', 'stage', 'reason')) as
    { id: string; hunt_id: string; stage: string; reason: string | null } | undefined;
  return row ? { leadId: row.id, huntId: row.hunt_id, stage: row.stage, reason: row.reason } : undefined;
}
