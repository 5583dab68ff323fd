// What the account's routes (a subscription) and the operator's console (a failing endpoint) both say of a
// webhook endpoint: which it is, and how its deliveries go.
import type { WebhookEndpoint } from '../sql/webhookEndpoints/endpointRow.js';
import { isoOrNull } from './jsonValues.js';

type EndpointState = Pick<
  WebhookEndpoint,
  | 'id'
  | 'accountId'
  | 'url'
  | 'enabled'
  | 'failingSince'
  | 'lastAttemptAt'
  | 'lastStatusCode'
  | 'lastError'
  | 'disabledAt'
  | 'disabledReason'
>;

export const endpointStateJson = (e: EndpointState) => ({
  id: e.id,
  accountId: e.accountId,
  url: e.url,
  enabled: e.enabled,
  failingSince: isoOrNull(e.failingSince),
  lastAttemptAt: isoOrNull(e.lastAttemptAt),
  lastStatusCode: e.lastStatusCode,
  lastError: e.lastError,
  disabledAt: isoOrNull(e.disabledAt),
  disabledReason: e.disabledReason,
});
