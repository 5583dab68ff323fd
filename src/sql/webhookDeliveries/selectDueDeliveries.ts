import type { Db } from '../../db/knex.js';

export interface DueDelivery {
  id: string;
  endpointId: string;
}

/**
 * Deliveries due by the service's clock, of enabled endpoints, not leased, not held for their lead's
 * lead.created, and first in their order: none of the same endpoint and lead is pending before them
 * (lead.created first, then by when the events happened). At most `perEndpoint` of each endpoint, so
 * that one endpoint's backlog never fills a batch; oldest due first.
 */
export async function selectDueDeliveries(
  db: Db,
  options: { now: Date; perEndpoint: number; limit: number },
): Promise<DueDelivery[]> {
  if (options.limit <= 0) return [];
  const { rows } = await db.raw<{ rows: Array<{ id: string; endpoint_id: string }> }>(
    `SELECT id, endpoint_id FROM (
       SELECT d.id, d.endpoint_id, d.next_attempt_at,
              row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.seq) AS n
         FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= ?::timestamptz
          AND (d.locked_until IS NULL OR d.locked_until < now())
          AND (d.awaits_lead_until IS NULL OR d.awaits_lead_until <= ?::timestamptz)
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
             WHERE p.endpoint_id = d.endpoint_id AND p.lead_id = d.lead_id AND p.status = 'pending'
               AND (p.rank, p.occurred_at, p.seq) < (d.rank, d.occurred_at, d.seq))
     ) due
     WHERE n <= ?
     ORDER BY next_attempt_at
     LIMIT ?`,
    [options.now, options.now, options.perEndpoint, options.limit],
  );
  return rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id }));
}
