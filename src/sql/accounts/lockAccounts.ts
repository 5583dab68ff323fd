import type { Trx } from '../../db/knex.js';

/**
 * Locks the accounts' rows until the transaction ends, in id order (no deadlock between two
 * lockers): what serialises decisions per account across instances (e.g. the send rate).
 * FOR NO KEY UPDATE does not block the foreign-key checks of rows that reference an account.
 */
export async function lockAccounts(trx: Trx, accountIds: string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await trx.raw('SELECT id FROM accounts WHERE id = ANY(?::uuid[]) ORDER BY id FOR NO KEY UPDATE', [
    [...new Set(accountIds)].sort(),
  ]);
}
