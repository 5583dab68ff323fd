// Opting a phone out (a STOP from the gateway, or an operator by hand), in one transaction: the
// opt-out, the cancellation of the phone's pending messages (failed 'opted_out', lead back to
// 'nouveau' with reason 'opted_out', contacted ad released) and a MessageFailed (permanent) for each.
// The exclusive phone lock taken first (src/sql/phoneLocks.ts) makes the opt-out wait for any sender
// calling the gateway for that phone, and makes senders and matchers that come after it see it.
import type { Db } from '../../db/knex.js';
import type { OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import { cancelMessagesTo } from '../../sql/cancelMessagesTo.js';
import { insertOptOut, type OptOut, type OptOutSource } from '../../sql/optouts.js';
import { lockPhoneExclusive } from '../../sql/phoneLocks.js';

export interface OptOutDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'optOuts' | 'optOutCancelled'>;
}

export interface OptOutResult {
  optOut: OptOut;
  /** False when the phone had opted out already (nothing changed). */
  created: boolean;
  /** Pending messages cancelled. */
  cancelled: number;
}

/** `phone` is E.164 (src/domain/phone.ts). */
export async function recordOptOut(deps: OptOutDeps, request: { phone: string; source: OptOutSource; reason: string | null }): Promise<OptOutResult> {
  const result = await deps.db.transaction(async (trx) => {
    await lockPhoneExclusive(trx, request.phone);
    const now = deps.clock.now();
    const { optOut, created } = await insertOptOut(trx, request, now);
    const cancelled = await cancelMessagesTo(trx, request.phone, now);
    const events: OutgoingEvent[] = cancelled.map((m) => ({
      eventType: 'MessageFailed',
      key: m.account_id,
      cause: m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined,
      value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, reason: 'opted_out', permanent: true, attempts: m.attempts, failedAt: now.getTime() },
    }));
    await deps.outbox.enqueue(trx, events);
    return { optOut, created, cancelled: cancelled.length };
  });
  // Counted once committed: a phone that had opted out already is no new opt-out.
  if (result.created) deps.metrics.optOuts.inc({ source: request.source });
  deps.metrics.optOutCancelled.inc(result.cancelled);
  return result;
}
