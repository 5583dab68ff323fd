import type { Trx } from '../db/knex.js';
import type { MessageRow } from './rows/messageRow.js';

/**
 * Takes a lease on messages for one attempt each (attempts + 1): nothing else attempts them until the
 * lease ends. Only messages still pending, due and unleased are taken; returns them.
 */
export async function leaseMessages(trx: Trx, ids: string[], leaseMs: number, now: Date): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return (await trx('messages')
    .whereIn('id', ids)
    .where({ status: 'pending' })
    .where('next_attempt_at', '<=', now)
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', trx.fn.now()))
    .update({
      attempts: trx.raw('attempts + 1'),
      locked_until: trx.raw(`now() + make_interval(secs => ?)`, [leaseMs / 1000]),
      last_attempt_at: trx.fn.now(),
      updated_at: trx.fn.now(),
    })
    .returning('*')) as MessageRow[];
}
