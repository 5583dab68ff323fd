import type { Db } from '../../db/knex.js';
import { ENDPOINT_COLUMNS, endpointOf, type EndpointRow, type WebhookEndpoint } from './endpointRow.js';

/**
 * A new signing secret; the one it replaces still signs until `previousUntil` (both signatures are
 * sent meanwhile). A secret replaced earlier and still signing is dropped. Undefined when the
 * account has no such subscription.
 */
export async function rotateSecret(
  db: Db,
  accountId: string,
  id: string,
  secret: string,
  previousUntil: Date,
  now: Date,
): Promise<WebhookEndpoint | undefined> {
  const [row] = (await db('webhook_endpoints')
    .where({ id, account_id: accountId })
    .update({
      previous_secret: db.ref('secret'),
      previous_secret_until: previousUntil,
      secret,
      updated_at: now,
    })
    .returning([...ENDPOINT_COLUMNS])) as EndpointRow[];
  return row ? endpointOf(row) : undefined;
}
