// Layer: deduplicate through the inbox, inside the handler's transaction. Events whose id this
// consumer group applied before are dropped; the others are recorded as applied by the same commit
// as their effects, so a redelivered event changes nothing and a crash loses nothing.
import type { Trx } from '../../db/knex.js';
import type { EventType } from '../../events/schemas.js';
import { insertInboxRows } from '../../sql/outbox/insertInboxRows.js';
import type { ConsumedEvent, HandlerContext } from './consumedEvent.js';

/** A handler's work inside one transaction. */
export type TransactionalHandle<K extends EventType> = (
  trx: Trx,
  events: Array<ConsumedEvent<K>>,
  ctx: HandlerContext,
) => Promise<void>;

/** Like TransactionalHandle, and returns the events it applied. */
export type TransactionalApply<K extends EventType> = (
  trx: Trx,
  events: Array<ConsumedEvent<K>>,
  ctx: HandlerContext,
) => Promise<Array<ConsumedEvent<K>>>;

export function deduplicate<K extends EventType>(
  groupId: string,
  handle: TransactionalHandle<K>,
): TransactionalApply<K> {
  return async (trx, events, ctx) => {
    // The same event twice in one batch counts once.
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    const fresh = await insertInboxRows(
      trx,
      groupId,
      unique.map((e) => e.eventId),
    );
    const applied = unique.filter((e) => fresh.has(e.eventId));
    if (applied.length > 0) await handle(trx, applied, ctx);
    return applied;
  };
}

/** For a consumer whose effects are idempotent by themselves (e.g. refreshing a cache): every event is applied. */
export function withoutInbox<K extends EventType>(handle: TransactionalHandle<K>): TransactionalApply<K> {
  return async (trx, events, ctx) => {
    await handle(trx, events, ctx);
    return events;
  };
}
