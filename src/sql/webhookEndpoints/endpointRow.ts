// The row of webhook_endpoints and the record the routes answer with (never its secrets).
import type { WebhookEventType } from '../../domain/webhooks.js';

export interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  previous_secret_until: Date | null;
  failing_since: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  /** Until when the secret replaced by the last rotation still signs. */
  previousSecretUntil: Date | null;
  failingSince: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Every column but the secrets. */
export const ENDPOINT_COLUMNS = [
  'id',
  'account_id',
  'url',
  'description',
  'events',
  'enabled',
  'previous_secret_until',
  'failing_since',
  'last_attempt_at',
  'last_status_code',
  'last_error',
  'disabled_at',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const;

export const endpointOf = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  accountId: r.account_id,
  url: r.url,
  description: r.description,
  events: r.events as WebhookEventType[],
  enabled: r.enabled,
  previousSecretUntil: r.previous_secret_until,
  failingSince: r.failing_since,
  lastAttemptAt: r.last_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
