import type { Db } from '../../db/knex.js';

export interface NewDelivery {
  id: string;
  endpointId: string;
  accountId: string;
  eventId: string;
  eventType: string;
  leadId: string;
  rank: number;
  occurredAt: Date;
  payload: string;
  /** Held until the lead's lead.created was read, at the latest until then; null: not held. */
  awaitsLeadUntil: Date | null;
}

/** One delivery per event and endpoint: an event read again (at-least-once) adds nothing. Returns how many were new. */
export async function insertDeliveries(db: Db, deliveries: readonly NewDelivery[], now: Date): Promise<number> {
  if (deliveries.length === 0) return 0;
  const rows = (await db('webhook_deliveries')
    .insert(
      deliveries.map((d) => ({
        id: d.id,
        endpoint_id: d.endpointId,
        account_id: d.accountId,
        event_id: d.eventId,
        event_type: d.eventType,
        lead_id: d.leadId,
        rank: d.rank,
        occurred_at: d.occurredAt,
        payload: d.payload,
        next_attempt_at: now,
        awaits_lead_until: d.awaitsLeadUntil,
        created_at: now,
      })),
    )
    .onConflict(['endpoint_id', 'event_id'])
    .ignore()
    .returning('id')) as unknown[];
  return rows.length;
}
