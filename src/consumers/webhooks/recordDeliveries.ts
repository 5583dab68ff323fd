// The deliverer's consumer side: each downstream event of an account becomes one delivery row per
// enabled subscription of that account to its type, in the transaction that records the event as
// read. No HTTP here: the dispatcher (dispatch.ts) attempts the rows, so an endpoint, however slow,
// never holds a partition, nor the matching and sending upstream.
//
// Order per lead: the topics are read in no order across them, so a lead's MessageSent may be read
// before its LeadCreated. A delivery about a recent lead whose LeadCreated is not read yet is held
// (awaits_lead_until) for the endpoints that take lead.created; reading the LeadCreated releases it,
// and lead.created goes first among the lead's deliveries (selectDueDeliveries).
import type { Trx } from '../../db/knex.js';
import { rankOf, type WebhookEventType } from '../../domain/webhooks.js';
import { WEBHOOK_TYPE_OF_EVENT, webhookPayload, type WebhookSourceEvent } from '../../events/webhookPayloads.js';
import { newId } from '../../platform/ids.js';
import { findSubscribedEndpoints } from '../../sql/webhookEndpoints/findSubscribedEndpoints.js';
import { insertDeliveries, type NewDelivery } from '../../sql/webhookDeliveries/insertDeliveries.js';
import { leadsAwaitingCreation } from '../../sql/webhookDeliveries/leadsAwaitingCreation.js';
import { lockLeads } from '../../sql/webhookDeliveries/lockLeads.js';
import { markLeadsRead } from '../../sql/webhookDeliveries/markLeadsRead.js';
import type { ConsumedEvent } from '../pipeline/consumedEvent.js';

/** How long a delivery waits at most for its lead's lead.created: should it never be read, it goes anyway. */
export const LEAD_WAIT_MS = 60 * 60_000;
/** Leads created longer ago than this are not waited for (their LeadCreated was read long ago). */
export const LEAD_MARK_WINDOW_MS = 2 * 24 * 3_600_000;
/** A subscription receives the events that happened after it was created (this much earlier, for clocks that differ). */
const SUBSCRIPTION_SLACK_MS = 60_000;

/** Records the deliveries of a batch; returns how many are new. */
export async function recordDeliveries(
  trx: Trx,
  events: ReadonlyArray<ConsumedEvent<WebhookSourceEvent>>,
  now: Date,
): Promise<number> {
  if (events.length === 0) return 0;
  const leadOf = (e: ConsumedEvent<WebhookSourceEvent>) => e.value.leadId;
  const typeOf = (e: ConsumedEvent<WebhookSourceEvent>): WebhookEventType => WEBHOOK_TYPE_OF_EVENT[e.eventType];
  // The subscriptions first: an account no endpoint listens for costs this one read, nothing written.
  const subscribers = await findSubscribedEndpoints(
    trx,
    events.map((e) => e.value.accountId),
    [...new Set(events.map(typeOf))],
  );
  if (subscribers.length === 0) return 0;
  // Order per lead matters only to an endpoint that takes lead.created: the leads of its account.
  const ordered = new Set(subscribers.filter((s) => s.events.includes('lead.created')).map((s) => s.accountId));
  const orderedEvents = events.filter((e) => ordered.has(e.value.accountId));
  await lockLeads(trx, orderedEvents.map(leadOf));
  await markLeadsRead(trx, orderedEvents.filter((e) => e.eventType === 'LeadCreated').map(leadOf), now);
  const awaiting = await leadsAwaitingCreation(
    trx,
    orderedEvents.filter((e) => e.eventType !== 'LeadCreated').map(leadOf),
    new Date(now.getTime() - LEAD_MARK_WINDOW_MS),
  );
  const deliveries: NewDelivery[] = [];
  for (const event of events) {
    const type = typeOf(event);
    const occurredAt = new Date(event.occurredAt);
    let payload: string | undefined;
    for (const s of subscribers) {
      if (s.accountId !== event.value.accountId || !s.events.includes(type)) continue;
      if (occurredAt.getTime() < s.createdAt.getTime() - SUBSCRIPTION_SLACK_MS) continue;
      payload ??= JSON.stringify(webhookPayload(event.eventType, event.value as never, event.occurredAt));
      // A lead created before the subscription was never marked for it: nothing to wait for.
      const createdAt = awaiting.get(leadOf(event));
      const held =
        type !== 'lead.created' &&
        s.events.includes('lead.created') &&
        createdAt !== undefined &&
        createdAt.getTime() >= s.createdAt.getTime() - SUBSCRIPTION_SLACK_MS;
      deliveries.push({
        id: newId(),
        endpointId: s.id,
        accountId: s.accountId,
        eventId: event.eventId,
        eventType: type,
        leadId: leadOf(event),
        rank: rankOf(type),
        occurredAt,
        payload,
        awaitsLeadUntil: held ? new Date(now.getTime() + LEAD_WAIT_MS) : null,
      });
    }
  }
  return insertDeliveries(trx, deliveries, now);
}
