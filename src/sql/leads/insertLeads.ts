import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

export interface LeadRecord {
  id: string;
  accountId: string;
  adId: string;
  huntId: string;
  stage: 'nouveau' | 'contacte';
  /** Why the seller was not contacted; null when contacted. */
  reason: string | null;
}

export interface InsertedLead {
  id: string;
  accountId: string;
  adId: string;
  position: number;
}

/**
 * Inserts leads with their decided stage, each written once, on top of its column (positions count
 * down). A lead the account has already is skipped: the caller compares what was inserted with what
 * it decided (a concurrent writer got there first: decide again).
 */
export async function insertLeads(trx: Trx, leads: LeadRecord[], now: Date): Promise<InsertedLead[]> {
  if (leads.length === 0) return [];
  const { rows } = await trx.raw<{ rows: Array<{ id: string; account_id: string; ad_id: string; position: number }> }>(
    `INSERT INTO leads (id, account_id, ad_id, hunt_id, stage, reason, contacted_at, created_at, updated_at)
     SELECT l.id, l.account_id, l.ad_id, l.hunt_id, l.stage, l.reason, CASE WHEN l.stage = 'contacte' THEN ?::timestamptz END, ?::timestamptz, ?::timestamptz
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[]) AS l(id, account_id, ad_id, hunt_id, stage, reason)
     ON CONFLICT (account_id, ad_id) DO NOTHING
     RETURNING id, account_id, ad_id, position`,
    [now, now, now, ...unnestColumns(leads, ['id', 'accountId', 'adId', 'huntId', 'stage', 'reason'])],
  );
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, adId: r.ad_id, position: r.position }));
}
