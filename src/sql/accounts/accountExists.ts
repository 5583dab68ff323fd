import type { Db } from '../../db/knex.js';

export async function accountExists(db: Db, id: string): Promise<boolean> {
  return (await db('accounts').where({ id }).first('id')) !== undefined;
}
