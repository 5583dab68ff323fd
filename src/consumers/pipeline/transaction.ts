// Layer: the handler's work and the inbox rows in one database transaction.
import type { Db } from '../../db/knex.js';
import type { EventType } from '../../events/schemas.js';
import type { Apply } from './consumedEvent.js';
import type { TransactionalApply } from './deduplicate.js';

export function inTransaction<K extends EventType>(db: Db, apply: TransactionalApply<K>): Apply<K> {
  return (events, ctx) => db.transaction((trx) => apply(trx, events, ctx));
}
