import type { Db } from '../../db/knex.js';

/**
 * Of these leads, those created since `since` whose LeadCreated the deliverer has not read yet, with
 * when each was created: a
 * delivery about one of them waits for its lead.created (the topics are read in no order across them).
 * An older lead's LeadCreated was read long ago (its mark may be pruned): nothing to wait for.
 */
export async function leadsAwaitingCreation(
  db: Db,
  leadIds: readonly string[],
  since: Date,
): Promise<Map<string, Date>> {
  if (leadIds.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: Array<{ id: string; created_at: Date }> }>(
    `SELECT l.id, l.created_at FROM leads l
      WHERE l.id = ANY(?::uuid[]) AND l.created_at >= ?::timestamptz
        AND NOT EXISTS (SELECT 1 FROM webhook_lead_marks m WHERE m.lead_id = l.id)`,
    [[...new Set(leadIds)], since],
  );
  return new Map(rows.map((r) => [r.id, r.created_at]));
}
