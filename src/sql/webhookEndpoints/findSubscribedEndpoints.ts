import type { Db } from '../../db/knex.js';
import type { WebhookEventType } from '../../domain/webhooks.js';

export interface Subscriber {
  id: string;
  accountId: string;
  events: WebhookEventType[];
  createdAt: Date;
}

/** The enabled subscriptions of these accounts to any of these event types. */
export async function findSubscribedEndpoints(
  db: Db,
  accountIds: readonly string[],
  types: readonly WebhookEventType[],
): Promise<Subscriber[]> {
  if (accountIds.length === 0 || types.length === 0) return [];
  const { rows } = await db.raw<{
    rows: Array<{ id: string; account_id: string; events: string[]; created_at: Date }>;
  }>(
    `SELECT id, account_id, events, created_at FROM webhook_endpoints
      WHERE account_id = ANY(?::uuid[]) AND enabled AND events && ?::text[]
      ORDER BY created_at, id`,
    [[...new Set(accountIds)], [...types]],
  );
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    events: r.events as WebhookEventType[],
    createdAt: r.created_at,
  }));
}
