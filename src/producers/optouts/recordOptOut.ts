// Opting a phone out (a STOP from the gateway, or an operator by hand), in one transaction: the
// opt-out, the cancellation of the phone's pending messages (failed 'opted_out', lead back to
// 'nouveau' with reason 'opted_out', contacted ad released) and a MessageFailed (permanent) for each.
// The exclusive phone lock taken first (src/sql/sellers/phoneLocks.ts) makes the opt-out wait for the matchers
// deciding contacts of that phone (never for a provider's answer), and makes the matchers that come
// after it see it; a sender reads it just before each call (src/consumers/sender/optOutGuard.ts).
import type { Db } from '../../db/knex.js';
import { messageFailedEvent } from '../../events/messageEvents.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import { optOutPhone } from '../../sql/sellers/optOutPhone.js';
import type { OptOut, OptOutSource } from '../../sql/sellers/optouts.js';

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
export async function recordOptOut(
  deps: OptOutDeps,
  request: { phone: string; source: OptOutSource; reason: string | null },
): Promise<OptOutResult> {
  const result = await deps.db.transaction(async (trx) => {
    const now = deps.clock.now();
    const { optOut, created, cancelled } = await optOutPhone(trx, request, now);
    await deps.outbox.enqueue(
      trx,
      cancelled.map((m) => messageFailedEvent(m, 'opted_out', true, now)),
    );
    return { optOut, created, cancelled: cancelled.length };
  });
  // Counted once committed: a phone that had opted out already is no new opt-out.
  if (result.created) deps.metrics.optOuts.inc({ source: request.source });
  deps.metrics.optOutCancelled.inc(result.cancelled);
  return result;
}
