import type { Db } from '../../db/knex.js';

/** Removes a subscription with its deliveries and their attempts; false when the account has no such one. */
export async function deleteEndpoint(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await db('webhook_endpoints').where({ id, account_id: accountId }).delete()) > 0;
}
