// Layer for work that cannot run inside a transaction: a call to a peer we do not own (the message
// gateway, Lobstr) or a long job with transactions of its own (the daily catch-up). It is an explicit
// stage, run once per event the inbox has not seen; then `settle` and the inbox rows commit together.
// The stage must be idempotent: after a crash before that commit it runs again for the same event.
import type { Db, Trx } from '../../db/knex.js';
import type { EventType } from '../../events/schemas.js';
import { selectSeenEventIds } from '../../sql/outbox/selectSeenEventIds.js';
import type { Apply, ConsumedEvent, HandlerContext } from './consumedEvent.js';
import { deduplicate } from './deduplicate.js';
import { inTransaction } from './transaction.js';

export interface OutsideTransactionStage<K extends EventType, R = void> {
  /** Names the stage in logs. */
  name: string;
  /** The work for the batch's events the inbox has not seen (in order). */
  run(events: Array<ConsumedEvent<K>>, ctx: HandlerContext): Promise<R>;
  /** Recorded with the inbox rows once the stage is done (e.g. "the run is imported"). */
  settle?(trx: Trx, events: Array<ConsumedEvent<K>>, result: R): Promise<void>;
  /** Once that transaction committed (logs and metrics of what it recorded). */
  afterCommit?(events: Array<ConsumedEvent<K>>, result: R): void;
}

export function outsideTransaction<K extends EventType, R>(
  db: Db,
  groupId: string,
  stage: OutsideTransactionStage<K, R>,
): Apply<K> {
  return async (events, ctx) => {
    const seen = await selectSeenEventIds(
      db,
      groupId,
      events.map((e) => e.eventId),
    );
    const fresh = events.filter((e) => !seen.has(e.eventId));
    if (fresh.length === 0) return [];
    const result = await stage.run(fresh, ctx);
    const applied = await inTransaction(
      db,
      deduplicate<K>(groupId, async (trx, recorded) => stage.settle?.(trx, recorded, result)),
    )(fresh, ctx);
    stage.afterCommit?.(applied, result);
    return applied;
  };
}
