import type { Db } from '../../db/knex.js';

export interface FailingEndpoint {
  id: string;
  accountId: string;
  url: string;
  enabled: boolean;
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /** Deliveries still to go (due or waiting for their retry). */
  pending: number;
}

/** Endpoints failing now, or disabled for failing; the longest failing first. */
export async function listFailingEndpoints(db: Db, limit: number): Promise<FailingEndpoint[]> {
  const { rows } = await db.raw<{
    rows: Array<{
      id: string;
      account_id: string;
      url: string;
      enabled: boolean;
      failing_since: Date | null;
      disabled_at: Date | null;
      disabled_reason: string | null;
      last_attempt_at: Date | null;
      last_status_code: number | null;
      last_error: string | null;
      pending: string;
    }>;
  }>(
    `SELECT e.id, e.account_id, e.url, e.enabled, e.failing_since, e.disabled_at, e.disabled_reason,
            e.last_attempt_at, e.last_status_code, e.last_error,
            (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS pending
       FROM webhook_endpoints e
      WHERE e.failing_since IS NOT NULL OR e.disabled_reason IS NOT NULL
      ORDER BY COALESCE(e.failing_since, e.disabled_at), e.id
      LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    url: r.url,
    enabled: r.enabled,
    failingSince: r.failing_since,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    pending: Number(r.pending),
  }));
}
