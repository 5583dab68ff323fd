import type { Db } from '../../db/knex.js';
import type { WebhookEventType } from '../../domain/webhooks.js';
import { ENDPOINT_COLUMNS, endpointOf, type EndpointRow, type WebhookEndpoint } from './endpointRow.js';

/**
 * Changes a subscription; undefined when the account has no such one. Enabling it again (enabled:
 * true) forgets why it was disabled and since when it failed: its deliveries go out as they fall due.
 */
export async function updateEndpoint(
  db: Db,
  accountId: string,
  id: string,
  patch: { url?: string; events?: readonly WebhookEventType[]; enabled?: boolean; description?: string },
  now: Date,
): Promise<WebhookEndpoint | undefined> {
  const changes: Record<string, unknown> = { updated_at: now };
  if (patch.url !== undefined) changes.url = patch.url;
  if (patch.events !== undefined) changes.events = [...patch.events];
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.enabled !== undefined) {
    changes.enabled = patch.enabled;
    if (patch.enabled) Object.assign(changes, { failing_since: null, disabled_at: null, disabled_reason: null });
  }
  const [row] = (await db('webhook_endpoints')
    .where({ id, account_id: accountId })
    .update(changes)
    .returning([...ENDPOINT_COLUMNS])) as EndpointRow[];
  return row ? endpointOf(row) : undefined;
}
