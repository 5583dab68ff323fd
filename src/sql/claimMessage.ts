// The first step of a delivery attempt, in its own short transaction: a lease on a pending, due
// message, so that no other attempt (another sender instance, the retry poller) takes it meanwhile,
// and the account's send rate, checked under an advisory lock so that concurrent senders agree.
import type { Db } from '../db/knex.js';
import type { MessageRow } from './rows/messageRow.js';

export type Claim = { kind: 'claimed'; message: MessageRow } | { kind: 'rate-limited' } | { kind: 'not-due' };

export async function claimMessage(db: Db, messageId: string, options: { leaseMs: number; ratePerMinute: number }): Promise<Claim> {
  return db.transaction(async (trx): Promise<Claim> => {
    const candidate = (await trx('messages').where({ id: messageId }).first('account_id', 'status')) as { account_id: string; status: string } | undefined;
    if (!candidate || candidate.status !== 'pending') return { kind: 'not-due' };
    // One claim at a time per account, so that concurrent senders agree on the rate.
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`send-rate:${candidate.account_id}`]);
    const recent = await trx.raw<{ rows: Array<{ n: number; oldest: Date | null }> }>(
      `SELECT count(*)::int AS n, min(last_attempt_at) AS oldest FROM messages
        WHERE account_id = ? AND last_attempt_at > now() - interval '1 minute'`,
      [candidate.account_id],
    );
    const { n, oldest } = recent.rows[0]!;
    if (n >= options.ratePerMinute) {
      // Over the account's rate: come back when the oldest attempt of the window leaves it.
      await trx('messages')
        .where({ id: messageId, status: 'pending' })
        .update({ next_attempt_at: trx.raw(`greatest(next_attempt_at, ?::timestamptz + interval '1 minute')`, [oldest]), updated_at: trx.fn.now() });
      return { kind: 'rate-limited' };
    }
    const [row] = (await trx('messages')
      .where({ id: messageId, status: 'pending' })
      .where('next_attempt_at', '<=', trx.fn.now())
      .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', trx.fn.now()))
      .update({
        attempts: trx.raw('attempts + 1'),
        locked_until: trx.raw(`now() + make_interval(secs => ?)`, [options.leaseMs / 1000]),
        last_attempt_at: trx.fn.now(),
        updated_at: trx.fn.now(),
      })
      .returning('*')) as MessageRow[];
    return row ? { kind: 'claimed', message: row } : { kind: 'not-due' };
  });
}
