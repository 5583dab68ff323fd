// Layer for work that cannot run inside a transaction: a call to a peer we do not own (the message
// gateway, Lobstr) or a long job with transactions of its own (the daily catch-up). It is an explicit
// stage, run once per event the inbox has not seen; then `settle` and the inbox rows commit together.
// The stage must be idempotent: after a crash before that commit it runs again for the same event.
import pLimit from 'p-limit';
import type { Db, Trx } from '../../db/knex.js';
import type { EventType } from '../../events/schemas.js';
import { selectSeenEventIds } from '../../sql/selectSeenEventIds.js';
import type { Apply, ConsumedEvent, HandlerContext } from './consumedEvent.js';
import { deduplicate } from './deduplicate.js';
import { inTransaction } from './transaction.js';

export interface OutsideTransactionStage<K extends EventType> {
  /** Names the stage in logs. */
  name: string;
  run(event: ConsumedEvent<K>, ctx: HandlerContext): Promise<void>;
  /** How many events of a batch run at once (1 keeps them in order; independent work may overlap). */
  concurrency?: number;
  /** Recorded with the inbox rows once the stage is done (e.g. "the run is imported"). */
  settle?(trx: Trx, events: Array<ConsumedEvent<K>>): Promise<void>;
}

export function outsideTransaction<K extends EventType>(db: Db, groupId: string, stage: OutsideTransactionStage<K>): Apply<K> {
  const settle = inTransaction(db, deduplicate<K>(groupId, async (trx, events) => stage.settle?.(trx, events)));
  return async (events, ctx) => {
    const seen = await selectSeenEventIds(db, groupId, events.map((e) => e.eventId));
    const fresh = events.filter((e) => !seen.has(e.eventId));
    const limit = pLimit(stage.concurrency ?? 1);
    await Promise.all(fresh.map((event) => limit(() => stage.run(event, ctx))));
    return fresh.length > 0 ? settle(fresh, ctx) : [];
  };
}
