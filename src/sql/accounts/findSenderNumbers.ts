import type { Db, Trx } from '../../db/knex.js';

/** Per account, the number it sends from on each channel (account_sender_numbers), when it has its own. */
export async function findSenderNumbers(
  db: Db | Trx,
  accountIds: Iterable<string>,
): Promise<Map<string, { sms?: string; whatsapp?: string }>> {
  const ids = [...new Set(accountIds)];
  const byAccount = new Map<string, { sms?: string; whatsapp?: string }>();
  if (ids.length === 0) return byAccount;
  const rows = (await db('account_sender_numbers')
    .whereRaw('account_id = ANY(?::uuid[])', [ids])
    .orderBy('created_at')
    .select('account_id', 'channel', 'number')) as Array<{
    account_id: string;
    channel: 'sms' | 'whatsapp';
    number: string;
  }>;
  // An account with several numbers for a channel sends from the first it gave.
  for (const r of rows) {
    const numbers = byAccount.get(r.account_id) ?? {};
    numbers[r.channel] ??= r.number;
    byAccount.set(r.account_id, numbers);
  }
  return byAccount;
}
