import type { Trx } from '../../db/knex.js';
import type { Ad } from '../../domain/types.js';
import { adColumns, adFromRow, type AdRow } from '../ads/adRow.js';

/**
 * Leads of `huntIds` held back by pacing whose ad was first published since `freshSince`, oldest
 * lead first, locked for the caller's transaction.
 */
export async function selectHeldBackLeads(
  trx: Trx,
  huntIds: string[],
  freshSince: Date,
): Promise<Array<{ leadId: string; huntId: string; ad: Ad }>> {
  if (huntIds.length === 0) return [];
  const rows = (await trx('leads as l')
    .join('ads as a', 'a.id', 'l.ad_id')
    .whereIn('l.hunt_id', huntIds)
    .where({ 'l.stage': 'nouveau', 'l.reason': 'pacing' })
    .whereRaw('coalesce(a.first_published_at, a.created_at) >= ?', [freshSince])
    .orderBy('l.created_at')
    .forUpdate('l')
    .select('l.id as lead_id', 'l.hunt_id', trx.raw(adColumns(undefined, 'a')))) as Array<
    AdRow & { lead_id: string; hunt_id: string }
  >;
  return rows.map((r) => ({ leadId: r.lead_id, huntId: r.hunt_id, ad: adFromRow(r) }));
}
