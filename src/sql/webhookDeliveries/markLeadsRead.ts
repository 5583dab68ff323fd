import type { Db } from '../../db/knex.js';

/**
 * The deliverer has read these leads' LeadCreated: remembered, and the deliveries about them held
 * until then are free to go (after the lead.created ones, which come first in their order).
 */
export async function markLeadsRead(db: Db, leadIds: readonly string[], now: Date): Promise<void> {
  if (leadIds.length === 0) return;
  await db.raw(
    `WITH marked AS (
       INSERT INTO webhook_lead_marks (lead_id, marked_at)
       SELECT unnest(?::uuid[]), ?::timestamptz
       ON CONFLICT (lead_id) DO NOTHING
     )
     UPDATE webhook_deliveries SET awaits_lead_until = NULL
      WHERE lead_id = ANY(?::uuid[]) AND awaits_lead_until IS NOT NULL`,
    [[...new Set(leadIds)], now, [...new Set(leadIds)]],
  );
}
