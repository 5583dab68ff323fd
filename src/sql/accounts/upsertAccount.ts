import type { Db } from '../../db/knex.js';

export interface Account {
  id: string;
  name: string;
  createdAt: Date;
}

/** Creates the account, or renames it when `name` is given. */
export async function upsertAccount(db: Db, account: { id: string; name?: string }): Promise<Account> {
  const [row] = await db('accounts')
    .insert({ id: account.id, name: account.name ?? '' })
    .onConflict('id')
    .merge(account.name === undefined ? ['id'] : ['name'])
    .returning<Array<{ id: string; name: string; created_at: Date }>>(['id', 'name', 'created_at']);
  return { id: row!.id, name: row!.name, createdAt: row!.created_at };
}
