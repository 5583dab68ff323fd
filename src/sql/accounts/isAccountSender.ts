import type { Trx } from '../../db/knex.js';

/** Whether `sender` (as a message recorded it) is one of the account's own senders, not the provider's default. */
export async function isAccountSender(trx: Trx, accountId: string, sender: string | null): Promise<boolean> {
  if (!sender) return false;
  return (
    (await trx('account_sender_numbers').where({ account_id: accountId, number: sender }).first('number')) !== undefined
  );
}
