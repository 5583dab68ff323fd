import type { Trx } from '../../db/knex.js';

/** Per account, its senderName (the identity its SMS carry), for the accounts that have one. */
export async function findSenderNames(trx: Trx, accountIds: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) return new Map();
  const rows = (await trx('accounts')
    .whereRaw('id = ANY(?::uuid[])', [ids])
    .whereNotNull('sender_name')
    .select('id', 'sender_name')) as Array<{ id: string; sender_name: string }>;
  return new Map(rows.map((r) => [r.id, r.sender_name]));
}
