import type { Db } from '../../db/knex.js';
import { ENDPOINT_COLUMNS, endpointOf, type EndpointRow, type WebhookEndpoint } from './endpointRow.js';

/** The account's subscriptions, oldest first. */
export async function listEndpoints(db: Db, accountId: string): Promise<WebhookEndpoint[]> {
  const rows = (await db('webhook_endpoints')
    .where({ account_id: accountId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select([...ENDPOINT_COLUMNS])) as EndpointRow[];
  return rows.map(endpointOf);
}
