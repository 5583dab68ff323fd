// The operator's console, its webhooks side (behind OPS_TOKEN):
//   GET /v1/ops/webhooks/failing?limit=   the endpoints failing now, or disabled for failing, longest first
import type { Db } from '../../db/knex.js';
import { listFailingEndpoints } from '../../sql/webhookEndpoints/listFailingEndpoints.js';
import type { HttpApp } from '../app.js';
import { endpointStateJson } from '../endpointStateJson.js';
import { opsRouteFamily } from '../routeFamily.js';
import { arrayOf, dateTime, nullable, object, uuid, query, limitParam, text, int } from '../schemas.js';

export interface OpsWebhookDeps {
  db: Db;
  opsToken: string | undefined;
}

const failingSchema = object({
  id: uuid,
  accountId: uuid,
  url: text,
  enabled: { type: 'boolean' },
  failingSince: { ...nullable(dateTime), description: 'The first failed attempt since the last success' },
  disabledAt: nullable(dateTime),
  disabledReason: nullable(text),
  lastAttemptAt: nullable(dateTime),
  lastStatusCode: nullable(int),
  lastError: nullable(text),
  pending: { ...int, description: 'Deliveries still to go (due, or waiting for their retry)' },
});

export const registerOpsWebhookRoutes = (deps: OpsWebhookDeps) => (app: HttpApp) => {
  app.get<{ Querystring: { limit?: string } }>(
    '/v1/ops/webhooks/failing',
    opsRouteFamily(deps.opsToken)(
      'Webhook endpoints failing now (every attempt since failingSince failed), or disabled for failing; longest failing first',
      {
        querystring: query({ limit: limitParam(500) }),
        response: { 200: object({ endpoints: arrayOf(failingSchema) }) },
      },
    ),
    async (request) => ({
      endpoints: (await listFailingEndpoints(deps.db, Number(request.query.limit ?? 50))).map((e) => ({
        ...endpointStateJson(e),
        pending: e.pending,
      })),
    }),
  );
};
