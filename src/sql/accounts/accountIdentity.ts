// An account's identity as its sellers see it: the name its SMS carry (accounts.sender_name) and the
// numbers it sends from (account_sender_numbers, one account per number).
import type { Db, Trx } from '../../db/knex.js';

export interface SenderNumber {
  /** E.164, or whatsapp:+E.164 for a WhatsApp sender. */
  number: string;
  channel: 'sms' | 'whatsapp';
}

export interface AccountIdentity {
  id: string;
  name: string;
  senderName: string | null;
  senderNumbers: SenderNumber[];
  createdAt: Date;
}

export async function loadAccountIdentity(db: Db | Trx, id: string): Promise<AccountIdentity | undefined> {
  const row = (await db('accounts').where({ id }).first('id', 'name', 'sender_name', 'created_at')) as
    { id: string; name: string; sender_name: string | null; created_at: Date } | undefined;
  if (!row) return undefined;
  const numbers = (await db('account_sender_numbers')
    .where({ account_id: id })
    .orderBy('created_at')
    .orderBy('number')
    .select('number', 'channel')) as SenderNumber[];
  return { id: row.id, name: row.name, senderName: row.sender_name, senderNumbers: numbers, createdAt: row.created_at };
}

/** Sender numbers, each with the account that sends from it. */
export type NumberOwners = Map<string, string>;

/** Of `numbers`, those another account sends from already. */
export async function findNumbersOfOthers(trx: Trx, accountId: string, numbers: string[]): Promise<NumberOwners> {
  if (numbers.length === 0) return new Map();
  const rows = (await trx('account_sender_numbers')
    .whereIn('number', numbers)
    .whereNot({ account_id: accountId })
    .select('number', 'account_id')) as Array<{ number: string; account_id: string }>;
  return new Map(rows.map((r) => [r.number, r.account_id]));
}

/** Sets what is given: the name, the sender name (null removes it), the sender numbers (all replaced). */
export async function updateAccountIdentity(
  trx: Trx,
  id: string,
  change: { name?: string; senderName?: string | null; senderNumbers?: SenderNumber[] },
  now: Date,
): Promise<void> {
  const columns: Record<string, unknown> = {};
  if (change.name !== undefined) columns.name = change.name;
  if (change.senderName !== undefined) columns.sender_name = change.senderName;
  if (Object.keys(columns).length > 0) await trx('accounts').where({ id }).update(columns);
  if (change.senderNumbers !== undefined) {
    await trx('account_sender_numbers').where({ account_id: id }).delete();
    if (change.senderNumbers.length > 0) {
      await trx('account_sender_numbers').insert(
        change.senderNumbers.map((n, i) => ({
          number: n.number,
          channel: n.channel,
          account_id: id,
          created_at: new Date(now.getTime() + i),
        })),
      );
    }
  }
}
