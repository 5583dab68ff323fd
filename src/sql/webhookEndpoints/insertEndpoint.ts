import type { Db } from '../../db/knex.js';
import type { WebhookEventType } from '../../domain/webhooks.js';
import { ENDPOINT_COLUMNS, endpointOf, type EndpointRow, type WebhookEndpoint } from './endpointRow.js';

/** A new subscription, enabled. */
export async function insertEndpoint(
  db: Db,
  e: {
    id: string;
    accountId: string;
    url: string;
    description: string;
    events: readonly WebhookEventType[];
    secret: string;
    now: Date;
  },
): Promise<WebhookEndpoint> {
  const [row] = (await db('webhook_endpoints')
    .insert({
      id: e.id,
      account_id: e.accountId,
      url: e.url,
      description: e.description,
      events: [...e.events],
      secret: e.secret,
      created_at: e.now,
      updated_at: e.now,
    })
    .returning([...ENDPOINT_COLUMNS])) as EndpointRow[];
  return endpointOf(row!);
}
