// POST /v1/accounts: creates an account (accounts are also created on first use by a hunt).
import { newId } from '../../platform/ids.js';
import type { Db } from '../../db/knex.js';
import { upsertAccount } from '../../sql/upsertAccount.js';
import type { HttpApp } from '../app.js';
import { requireBearer } from '../auth.js';

export interface AccountRoutesDeps {
  db: Db;
  apiToken: string | undefined;
}

export const registerAccountRoutes = (deps: AccountRoutesDeps) => (app: HttpApp) => {
  app.post<{ Body: { id?: string; name?: string } }>(
    '/v1/accounts',
    {
      onRequest: requireBearer(deps.apiToken),
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const account = await upsertAccount(deps.db, { id: request.body.id ?? newId(), name: request.body.name });
      return reply.status(201).send({ id: account.id, name: account.name, createdAt: account.createdAt.toISOString() });
    },
  );
};
