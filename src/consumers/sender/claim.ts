// The first step of delivery, for a whole batch in one short transaction: take a lease on each message
// that is pending, due and unleased, within its account's send rate, so that no other attempt (another
// sender instance, the retry poller) takes it meanwhile. The rate is decided under the accounts' row
// locks, so that any number of senders agree on it; the messages over it are deferred. The claim also
// reads which number each account sends from (its own, or the provider's default when it has none).
import type { Db } from '../../db/knex.js';
import { applySendRate } from '../../domain/sendRate.js';
import { countRecentAttempts } from '../../sql/countRecentAttempts.js';
import { deferMessages } from '../../sql/deferMessages.js';
import { findSenderNumbers } from '../../sql/findSenderNumbers.js';
import { leaseMessages } from '../../sql/leaseMessages.js';
import { lockAccounts } from '../../sql/lockAccounts.js';
import type { MessageRow } from '../../sql/rows/messageRow.js';
import { selectDeliverable } from '../../sql/selectDeliverable.js';

export interface Claim {
  claimed: MessageRow[];
  deferred: number;
  /** Per account, its own number per channel. */
  senders: Map<string, { sms?: string; whatsapp?: string }>;
}

export async function claimForDelivery(
  db: Db,
  messageIds: string[],
  options: { leaseMs: number; ratePerMinute: number; now: Date },
): Promise<Claim> {
  const none: Claim = { claimed: [], deferred: 0, senders: new Map() };
  if (messageIds.length === 0) return none;
  return db.transaction(async (trx) => {
    const deliverable = await selectDeliverable(trx, messageIds, options.now);
    if (deliverable.length === 0) return none;
    const accounts = deliverable.map((m) => m.accountId);
    await lockAccounts(trx, accounts);
    const recent = await countRecentAttempts(trx, accounts);
    const { attempt, defer } = applySendRate(deliverable, recent, options.ratePerMinute, options.now);
    const claimed = await leaseMessages(trx, attempt, options.leaseMs, options.now);
    await deferMessages(trx, defer);
    const senders = claimed.some((m) => m.channel !== 'leboncoin')
      ? await findSenderNumbers(
          trx,
          claimed.map((m) => m.account_id),
        )
      : new Map();
    return { claimed, deferred: defer.length, senders };
  });
}
