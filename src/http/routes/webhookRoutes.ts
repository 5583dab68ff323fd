// An account's webhook subscriptions (Standard Webhooks), with the API token or the account's key:
//   POST   /v1/accounts/:accountId/webhooks                       {url, events, description}: the secret, once
//   GET    /v1/accounts/:accountId/webhooks                       the account's subscriptions
//   GET    /v1/accounts/:accountId/webhooks/:webhookId
//   PATCH  /v1/accounts/:accountId/webhooks/:webhookId            {url, events, enabled, description}
//   DELETE /v1/accounts/:accountId/webhooks/:webhookId
//   POST   /v1/accounts/:accountId/webhooks/:webhookId/rotate-secret   a new secret; the old one signs 24 h more
//   GET    /v1/accounts/:accountId/webhooks/:webhookId/deliveries       status, attempts, last answer
//   POST   /v1/accounts/:accountId/webhooks/:webhookId/deliveries/:deliveryId/retry
// A URL is https (http with WEBHOOKS_ALLOW_HTTP) and resolves to public addresses only (unless its
// host is in WEBHOOKS_ALLOWED_HOSTS): otherwise a 400 naming body/url, and nothing is written.
import type { Db } from '../../db/knex.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { WEBHOOK_EVENT_TYPES, type DeliveryStatus, type WebhookEventType } from '../../domain/webhooks.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { ensureAccount } from '../../sql/accounts/ensureAccount.js';
import { deleteEndpoint } from '../../sql/webhookEndpoints/deleteEndpoint.js';
import type { WebhookEndpoint } from '../../sql/webhookEndpoints/endpointRow.js';
import { findEndpoint } from '../../sql/webhookEndpoints/findEndpoint.js';
import { insertEndpoint } from '../../sql/webhookEndpoints/insertEndpoint.js';
import { listDeliveries, type DeliveryRecord } from '../../sql/webhookDeliveries/listDeliveries.js';
import { listEndpoints } from '../../sql/webhookEndpoints/listEndpoints.js';
import { retryDelivery } from '../../sql/webhookDeliveries/retryDelivery.js';
import { rotateSecret } from '../../sql/webhookEndpoints/rotateSecret.js';
import { updateEndpoint } from '../../sql/webhookEndpoints/updateEndpoint.js';
import { checkWebhookUrl, resolvesToPublic, UrlRefused, type UrlPolicy } from '../../webhooks/addressPolicy.js';
import { newWebhookSecret } from '../../webhooks/signature.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { routeModule } from '../registerEach.js';
import { routeFamily } from '../routeFamily.js';
import { EXAMPLES } from '../examples.js';
import { endpointStateJson } from '../endpointStateJson.js';
import { existingAccountRoutes } from '../existingAccount.js';
import { assertAccountVisible, requireAccountAccess } from '../auth.js';
import {
  accountParams,
  arrayOf,
  dateTime,
  nullable,
  object,
  uuid,
  query,
  limitParam,
  text,
  int,
  noContent,
} from '../schemas.js';

export interface WebhookRoutesDeps {
  db: Db;
  clock: Clock;
  apiToken: string | undefined;
  policy: UrlPolicy;
}

/** How long the secret a rotation replaces still signs. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const eventType = { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } as const;
const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

const endpointProperties = {
  id: uuid,
  accountId: uuid,
  url: text,
  description: text,
  events: arrayOf(eventType),
  enabled: { type: 'boolean', description: 'False: nothing is delivered (disabled by hand, or for failing)' },
  failingSince: {
    ...nullable(dateTime),
    description: 'The first failed attempt since the last success; null while deliveries succeed',
  },
  lastAttemptAt: nullable(dateTime),
  lastStatusCode: { ...nullable(int), description: "The last attempt's HTTP status; null: no answer" },
  lastError: nullable(text),
  disabledAt: nullable(dateTime),
  disabledReason: { ...nullable(text), description: 'Why it was disabled, when it was for failing' },
  previousSecretExpiresAt: {
    ...nullable(dateTime),
    description: 'Until then the secret replaced by the last rotation signs too (two signatures)',
  },
  createdAt: dateTime,
  updatedAt: dateTime,
};
const endpointSchema = object(endpointProperties);
const secretProperty = {
  type: 'string',
  description: 'The signing secret (whsec_...), shown this once: verify webhook-signature with it',
};

const endpointJson = (e: WebhookEndpoint) => ({
  ...endpointStateJson(e),
  description: e.description,
  events: e.events,
  previousSecretExpiresAt: isoOrNull(e.previousSecretUntil),
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const deliverySchema = object({
  id: uuid,
  eventId: { ...uuid, description: 'The event, also the webhook-id header of every attempt' },
  type: eventType,
  status: {
    type: 'string',
    enum: STATUSES,
    description: 'pending (due or retrying), delivered, failed (retries used up)',
  },
  attempts: int,
  lastStatusCode: { ...nullable(int), description: "The last attempt's HTTP status; null: no answer" },
  lastAttemptAt: nullable(dateTime),
  lastError: nullable(text),
  nextAttemptAt: { ...nullable(dateTime), description: 'When a pending delivery is attempted next' },
  deliveredAt: nullable(dateTime),
  createdAt: dateTime,
  attemptLog: arrayOf(
    object({
      at: dateTime,
      statusCode: nullable(int),
      error: nullable(text),
      durationMs: int,
    }),
  ),
});

const deliveryJson = (d: DeliveryRecord) => ({
  id: d.id,
  eventId: d.eventId,
  type: d.eventType as WebhookEventType,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastAttemptAt: isoOrNull(d.lastAttemptAt),
  lastError: d.lastError,
  nextAttemptAt: isoOrNull(d.nextAttemptAt),
  deliveredAt: isoOrNull(d.deliveredAt),
  createdAt: d.createdAt.toISOString(),
  attemptLog: d.attemptLog.map((a) => ({
    at: a.at.toISOString(),
    statusCode: a.statusCode,
    error: a.error,
    durationMs: a.durationMs,
  })),
});

const webhookParams = {
  type: 'object',
  required: ['accountId', 'webhookId'],
  properties: { accountId: uuid, webhookId: uuid },
} as const;
const deliveryParams = {
  type: 'object',
  required: ['accountId', 'webhookId', 'deliveryId'],
  properties: { accountId: uuid, webhookId: uuid, deliveryId: uuid },
} as const;

const fields = {
  url: { type: 'string', minLength: 1, maxLength: 2000, description: 'https:// and public' },
  events: {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: eventType,
    description: 'The event types to receive (all five when left out)',
  },
  description: { type: 'string', maxLength: 500 },
} as const;

interface WebhookBody {
  url: string;
  events?: WebhookEventType[];
  description?: string;
}

type Params = { accountId: string; webhookId: string };

/** What the routes of registerWebhookRoutes share, made once per registration. */
function webhookRoutesShared(deps: WebhookRoutesDeps) {
  const webhooks = routeFamily('webhooks', 'apiToken', requireAccountAccess(deps), [400, 401, 404]);

  /** The URL the policy accepts, as given; a 400 naming body/url otherwise. */
  async function checkedUrl(text: string): Promise<string> {
    try {
      await resolvesToPublic(checkWebhookUrl(text, deps.policy), deps.policy);
      return text;
    } catch (error) {
      if (error instanceof UrlRefused) throw new ValidationError('body/url', error.message);
      throw error;
    }
  }

  /** The caller's subscription, or the 404 of a missing one. */
  async function endpointOf(request: { params: Params }, visible: (accountId: string) => void) {
    const { accountId, webhookId } = request.params;
    visible(accountId);
    const endpoint = await findEndpoint(deps.db, accountId, webhookId);
    if (!endpoint) throw new NotFoundError(`webhook ${webhookId}`);
    return endpoint;
  }
  return { webhooks, webhooksOfAccount: existingAccountRoutes(deps.db, webhooks), checkedUrl, endpointOf };
}
type WebhookRoutesShared = ReturnType<typeof webhookRoutesShared>;

function postAccountsWebhooks(app: HttpApp, deps: WebhookRoutesDeps, { webhooks, checkedUrl }: WebhookRoutesShared) {
  app.post<{ Params: { accountId: string }; Body: WebhookBody }>(
    '/v1/accounts/:accountId/webhooks',
    webhooks(
      "Subscribe a URL to the account's events (Standard Webhooks, signed); the signing secret is answered this once",
      {
        params: accountParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: fields,
          examples: [EXAMPLES.createWebhook],
        },
        description: 'The account is created if it does not exist yet, as a hunt creates its own.',
        response: { 201: object({ ...endpointProperties, secret: secretProperty }) },
      },
    ),
    async (request, reply) => {
      const { accountId } = request.params;
      assertAccountVisible(request, accountId, `account ${accountId}`);
      const url = await checkedUrl(request.body.url);
      const secret = newWebhookSecret();
      const endpoint = await deps.db.transaction(async (trx) => {
        // Accounts are created on first use, as a hunt creates its own (an account key's exists already).
        await ensureAccount(trx, accountId);
        return insertEndpoint(trx, {
          id: newId(),
          accountId,
          url,
          description: request.body.description ?? '',
          events: request.body.events ?? [...WEBHOOK_EVENT_TYPES],
          secret,
          now: deps.clock.now(),
        });
      });
      request.log.info({ accountId, webhookId: endpoint.id, events: endpoint.events }, 'webhook subscribed');
      // The secret itself is answered here, once.
      return reply.status(201).send({ ...endpointJson(endpoint), secret });
    },
  );
}

function getAccountsWebhooks(app: HttpApp, deps: WebhookRoutesDeps, { webhooksOfAccount }: WebhookRoutesShared) {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/webhooks',
    webhooksOfAccount("The account's webhook subscriptions (never their secrets)", {
      response: { 200: object({ webhooks: arrayOf(endpointSchema) }) },
    }),
    async (request) => ({ webhooks: (await listEndpoints(deps.db, request.params.accountId)).map(endpointJson) }),
  );
}

function getAccountsWebhooksById(
  app: HttpApp,
  _deps: WebhookRoutesDeps,
  { webhooks, endpointOf }: WebhookRoutesShared,
) {
  app.get<{ Params: Params }>(
    '/v1/accounts/:accountId/webhooks/:webhookId',
    webhooks('A webhook subscription, its state and its last attempt', {
      params: webhookParams,
      response: { 200: endpointSchema },
    }),
    async (request) =>
      endpointJson(
        await endpointOf(request, (a) => assertAccountVisible(request, a, `webhook ${request.params.webhookId}`)),
      ),
  );
}

function patchAccountsWebhooks(app: HttpApp, deps: WebhookRoutesDeps, { webhooks, checkedUrl }: WebhookRoutesShared) {
  app.patch<{ Params: Params; Body: Partial<WebhookBody> & { enabled?: boolean } }>(
    '/v1/accounts/:accountId/webhooks/:webhookId',
    webhooks(
      'Change the URL, the events or the description, or disable and enable the subscription (enabling a disabled one resumes its deliveries)',
      {
        params: webhookParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { ...fields, enabled: { type: 'boolean' } },
          examples: [EXAMPLES.patchWebhook],
        },
        response: { 200: endpointSchema },
      },
    ),
    async (request) => {
      const { accountId, webhookId } = request.params;
      assertAccountVisible(request, accountId, `webhook ${webhookId}`);
      const url = request.body.url === undefined ? undefined : await checkedUrl(request.body.url);
      const endpoint = await updateEndpoint(
        deps.db,
        accountId,
        webhookId,
        { url, events: request.body.events, enabled: request.body.enabled, description: request.body.description },
        deps.clock.now(),
      );
      if (!endpoint) throw new NotFoundError(`webhook ${webhookId}`);
      request.log.info({ accountId, webhookId, enabled: endpoint.enabled }, 'webhook changed');
      return endpointJson(endpoint);
    },
  );
}

function deleteAccountsWebhooks(app: HttpApp, deps: WebhookRoutesDeps, { webhooks }: WebhookRoutesShared) {
  app.delete<{ Params: Params }>(
    '/v1/accounts/:accountId/webhooks/:webhookId',
    webhooks('Remove a subscription, with its deliveries', { params: webhookParams, response: noContent('Removed') }),
    async (request, reply) => {
      const { accountId, webhookId } = request.params;
      assertAccountVisible(request, accountId, `webhook ${webhookId}`);
      if (!(await deleteEndpoint(deps.db, accountId, webhookId))) throw new NotFoundError(`webhook ${webhookId}`);
      request.log.info({ accountId, webhookId }, 'webhook removed');
      return reply.status(204).send();
    },
  );
}

function postAccountsWebhooksRotateSecret(app: HttpApp, deps: WebhookRoutesDeps, { webhooks }: WebhookRoutesShared) {
  app.post<{ Params: Params }>(
    '/v1/accounts/:accountId/webhooks/:webhookId/rotate-secret',
    webhooks(
      'A new signing secret, answered this once; the previous one keeps signing for 24 hours (both signatures are sent)',
      {
        params: webhookParams,
        response: { 200: object({ id: uuid, secret: secretProperty, previousSecretExpiresAt: dateTime }) },
      },
    ),
    async (request) => {
      const { accountId, webhookId } = request.params;
      assertAccountVisible(request, accountId, `webhook ${webhookId}`);
      const now = deps.clock.now();
      const secret = newWebhookSecret();
      const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      const endpoint = await rotateSecret(deps.db, accountId, webhookId, secret, until, now);
      if (!endpoint) throw new NotFoundError(`webhook ${webhookId}`);
      request.log.info({ accountId, webhookId, previousSecretUntil: until }, 'webhook secret rotated');
      return { id: endpoint.id, secret, previousSecretExpiresAt: until.toISOString() };
    },
  );
}

function getAccountsWebhooksDeliveries(
  app: HttpApp,
  deps: WebhookRoutesDeps,
  { webhooks, endpointOf }: WebhookRoutesShared,
) {
  app.get<{ Params: Params; Querystring: { status?: DeliveryStatus; limit?: string } }>(
    '/v1/accounts/:accountId/webhooks/:webhookId/deliveries',
    webhooks(
      "The subscription's deliveries, newest first: status, attempts, the last answer's code and time, every attempt",
      {
        params: webhookParams,
        querystring: query({
          status: { type: 'string', enum: STATUSES },
          limit: limitParam(100),
        }),
        response: { 200: object({ deliveries: arrayOf(deliverySchema) }) },
      },
    ),
    async (request) => {
      const endpoint = await endpointOf(request, (a) =>
        assertAccountVisible(request, a, `webhook ${request.params.webhookId}`),
      );
      const deliveries = await listDeliveries(deps.db, endpoint.id, {
        limit: Number(request.query.limit ?? 50),
        status: request.query.status,
      });
      return { deliveries: deliveries.map(deliveryJson) };
    },
  );
}

function postAccountsWebhooksDeliveriesRetry(
  app: HttpApp,
  deps: WebhookRoutesDeps,
  { webhooks, endpointOf }: WebhookRoutesShared,
) {
  app.post<{ Params: Params & { deliveryId: string } }>(
    '/v1/accounts/:accountId/webhooks/:webhookId/deliveries/:deliveryId/retry',
    webhooks(
      'Attempt a delivery again now (a failed one, or a delivered one sent again), with the whole retry schedule ahead of it',
      { params: deliveryParams, response: { 202: object({ delivery: deliverySchema }) } },
    ),
    async (request, reply) => {
      const endpoint = await endpointOf(request, (a) =>
        assertAccountVisible(request, a, `webhook ${request.params.webhookId}`),
      );
      const { deliveryId } = request.params;
      if (!(await retryDelivery(deps.db, endpoint.id, deliveryId, deps.clock.now())))
        throw new NotFoundError(`delivery ${deliveryId}`);
      const [delivery] = await listDeliveries(deps.db, endpoint.id, { limit: 1, id: deliveryId });
      request.log.info(
        { accountId: endpoint.accountId, webhookId: endpoint.id, deliveryId },
        'webhook delivery queued again',
      );
      return reply.status(202).send({ delivery: deliveryJson(delivery!) });
    },
  );
}

export const registerWebhookRoutes = routeModule(webhookRoutesShared, [
  postAccountsWebhooks,
  getAccountsWebhooks,
  getAccountsWebhooksById,
  patchAccountsWebhooks,
  deleteAccountsWebhooks,
  postAccountsWebhooksRotateSecret,
  getAccountsWebhooksDeliveries,
  postAccountsWebhooksDeliveriesRetry,
]);
