// The first step of delivery, for a whole batch in one short transaction: take a lease on each message
// that is pending, due and unleased, within its account's send rate, so that no other attempt (another
// sender instance, the retry poller) takes it meanwhile. The rate is decided under the accounts' row
// locks, so that any number of senders agree on it; the messages over it are deferred.
import type { Db } from '../../db/knex.js';
import { applySendRate } from '../../domain/sendRate.js';
import { countRecentAttempts } from '../../sql/countRecentAttempts.js';
import { deferMessages } from '../../sql/deferMessages.js';
import { leaseMessages } from '../../sql/leaseMessages.js';
import { lockAccounts } from '../../sql/lockAccounts.js';
import type { MessageRow } from '../../sql/rows/messageRow.js';
import { selectDeliverable } from '../../sql/selectDeliverable.js';

export async function claimForDelivery(
  db: Db,
  messageIds: string[],
  options: { leaseMs: number; ratePerMinute: number; now: Date },
): Promise<{ claimed: MessageRow[]; deferred: number }> {
  if (messageIds.length === 0) return { claimed: [], deferred: 0 };
  return db.transaction(async (trx) => {
    const deliverable = await selectDeliverable(trx, messageIds, options.now);
    if (deliverable.length === 0) return { claimed: [], deferred: 0 };
    const accounts = deliverable.map((m) => m.accountId);
    await lockAccounts(trx, accounts);
    const recent = await countRecentAttempts(trx, accounts);
    const { attempt, defer } = applySendRate(deliverable, recent, options.ratePerMinute, options.now);
    const claimed = await leaseMessages(trx, attempt, options.leaseMs, options.now);
    await deferMessages(trx, defer);
    return { claimed, deferred: defer.length };
  });
}
