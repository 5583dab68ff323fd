import type { Trx } from '../../db/knex.js';

/** Accounts are created on first use (a hunt names its account). */
export async function ensureAccount(trx: Trx, id: string, name = ''): Promise<void> {
  await trx('accounts').insert({ id, name }).onConflict('id').ignore();
}
