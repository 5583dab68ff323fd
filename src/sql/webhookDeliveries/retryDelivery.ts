import type { Db } from '../../db/knex.js';

/**
 * Queues a delivery for an attempt now, with the whole retry schedule ahead of it again (a failed one,
 * or a delivered one sent again); false when the endpoint has no such delivery.
 */
export async function retryDelivery(db: Db, endpointId: string, deliveryId: string, now: Date): Promise<boolean> {
  return (
    (await db('webhook_deliveries')
      .where({ id: deliveryId, endpoint_id: endpointId })
      .update({ status: 'pending', next_attempt_at: now, schedule_step: 0, awaits_lead_until: null })) > 0
  );
}
