import type { Trx } from '../../db/knex.js';
import { cancelMessagesTo } from '../messages/cancelMessagesTo.js';
import { insertOptOut, type OptOut, type OptOutSource } from './optouts.js';
import { lockPhoneExclusive } from './phoneLocks.js';
import type { MessageRow } from '../messages/messageRow.js';

/**
 * Opts a phone out, in the caller's transaction: the exclusive phone lock first (src/sql/sellers/phoneLocks.ts:
 * it waits for the matchers deciding contacts of that phone, and makes those that come after it see
 * the opt-out), the opt-out, then its pending messages cancelled. Returns the messages cancelled, for
 * the caller's MessageFailed events.
 */
export async function optOutPhone(
  trx: Trx,
  request: { phone: string; source: OptOutSource; reason: string | null },
  now: Date,
): Promise<{ optOut: OptOut; created: boolean; cancelled: MessageRow[] }> {
  await lockPhoneExclusive(trx, request.phone);
  const { optOut, created } = await insertOptOut(trx, request, now);
  const cancelled = await cancelMessagesTo(trx, request.phone, now);
  return { optOut, created, cancelled };
}
