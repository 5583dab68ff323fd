import type { Db } from '../../db/knex.js';
import { ENDPOINT_COLUMNS, endpointOf, type EndpointRow, type WebhookEndpoint } from './endpointRow.js';

/** The account's subscription, or undefined (another account's is as missing as one that does not exist). */
export async function findEndpoint(db: Db, accountId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = (await db('webhook_endpoints')
    .where({ id, account_id: accountId })
    .first([...ENDPOINT_COLUMNS])) as EndpointRow | undefined;
  return row ? endpointOf(row) : undefined;
}
