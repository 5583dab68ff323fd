import type { Db } from '../../db/knex.js';

export interface LeasedDelivery {
  id: string;
  endpointId: string;
  accountId: string;
  eventId: string;
  eventType: string;
  payload: string;
  scheduleStep: number;
  url: string;
  /** The current secret, then the previous one while it still signs (at `now`). */
  secrets: string[];
}

/**
 * Takes a lease on deliveries for one attempt each: no other deliverer attempts them until the lease
 * ends (an attempt that dies with its process is attempted again then). Only deliveries still pending
 * and unleased are taken; returns them with what the attempt needs from their endpoint.
 */
export async function leaseDeliveries(
  db: Db,
  ids: readonly string[],
  leaseMs: number,
  now: Date,
): Promise<LeasedDelivery[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw<{
    rows: Array<{
      id: string;
      endpoint_id: string;
      account_id: string;
      event_id: string;
      event_type: string;
      payload: string;
      schedule_step: number;
      url: string;
      secret: string;
      previous_secret: string | null;
      previous_secret_until: Date | null;
    }>;
  }>(
    `WITH leased AS (
       UPDATE webhook_deliveries SET locked_until = now() + make_interval(secs => ?)
        WHERE id = ANY(?::uuid[]) AND status = 'pending' AND (locked_until IS NULL OR locked_until < now())
        RETURNING id, endpoint_id, account_id, event_id, event_type, payload, schedule_step
     )
     SELECT l.*, e.url, e.secret, e.previous_secret, e.previous_secret_until
       FROM leased l JOIN webhook_endpoints e ON e.id = l.endpoint_id`,
    [leaseMs / 1000, [...ids]],
  );
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    accountId: r.account_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    scheduleStep: r.schedule_step,
    url: r.url,
    secrets:
      r.previous_secret && r.previous_secret_until && r.previous_secret_until > now
        ? [r.secret, r.previous_secret]
        : [r.secret],
  }));
}
