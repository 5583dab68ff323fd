// Accounts (also created on first use by a hunt) and their API keys; the service-wide admin token only.
//   POST /v1/accounts
//   POST /v1/accounts/:accountId/api-keys        a new key, shown once (only its hash is stored)
//   GET  /v1/accounts/:accountId/api-keys        the live keys: ids, prefixes, creation and last use
//   DELETE /v1/accounts/:accountId/api-keys/:keyId
import type { Db } from '../../db/knex.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../../sql/apiKeys.js';
import { accountExists } from '../../sql/accountExists.js';
import { upsertAccount } from '../../sql/upsertAccount.js';
import type { HttpApp } from '../app.js';
import { newApiKey, requireBearer } from '../auth.js';
import { arrayOf, dateTime, describe, errors, nullable, object, uuid } from '../schemas.js';

const keyProperties = { id: uuid, accountId: uuid, prefix: { type: 'string', description: 'The first characters of the key, to recognise it' }, createdAt: dateTime, lastUsedAt: nullable(dateTime) };
const keySchema = object(keyProperties);
const newKeySchema = object({ ...keyProperties, key: { type: 'string', description: 'The key itself, shown this once: only its hash is stored' } });

export interface AccountRoutesDeps {
  db: Db;
  clock: Clock;
  apiToken: string | undefined;
}

const accountParams = { type: 'object', required: ['accountId'], properties: { accountId: { type: 'string', format: 'uuid' } } } as const;
const keyParams = {
  type: 'object',
  required: ['accountId', 'keyId'],
  properties: { accountId: { type: 'string', format: 'uuid' }, keyId: { type: 'string', format: 'uuid' } },
} as const;

const keyJson = (k: ApiKeyRecord) => ({ id: k.id, accountId: k.accountId, prefix: k.prefix, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null });

export const registerAccountRoutes = (deps: AccountRoutesDeps) => (app: HttpApp) => {
  const admin = requireBearer(deps.apiToken);

  app.post<{ Body: { id?: string; name?: string } }>(
    '/v1/accounts',
    {
      onRequest: admin,
      schema: {
        ...describe('accounts', 'Create an account, or rename it (accounts are also created on first use by a hunt)', 'apiToken'),
        body: { type: 'object', additionalProperties: false, properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', maxLength: 200 } } },
        response: { 201: object({ id: uuid, name: { type: 'string' }, createdAt: dateTime }), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const account = await upsertAccount(deps.db, { id: request.body.id ?? newId(), name: request.body.name });
      return reply.status(201).send({ id: account.id, name: account.name, createdAt: account.createdAt.toISOString() });
    },
  );

  app.post<{ Params: { accountId: string } }>('/v1/accounts/:accountId/api-keys', { onRequest: admin, schema: { ...describe('accounts', 'Create an API key for the account (API_TOKEN only); the key opens this account and no other', 'apiToken'), params: accountParams, response: { 201: newKeySchema, ...errors(400, 401, 404) } } }, async (request, reply) => {
    const { accountId } = request.params;
    if (!(await accountExists(deps.db, accountId))) throw new NotFoundError(`account ${accountId}`);
    const { key, hash, prefix } = newApiKey();
    const record = await insertApiKey(deps.db, { id: newId(), accountId, prefix, hash, now: deps.clock.now() });
    request.log.info({ accountId, keyId: record.id, prefix }, 'API key created');
    // The key itself is shown here, once: only its hash is kept.
    return reply.status(201).send({ ...keyJson(record), key });
  });

  app.get<{ Params: { accountId: string } }>('/v1/accounts/:accountId/api-keys', { onRequest: admin, schema: { ...describe('accounts', "The account's live API keys (never the keys themselves)", 'apiToken'), params: accountParams, response: { 200: object({ keys: arrayOf(keySchema) }), ...errors(400, 401, 404) } } }, async (request) => {
    if (!(await accountExists(deps.db, request.params.accountId))) throw new NotFoundError(`account ${request.params.accountId}`);
    return { keys: (await listApiKeys(deps.db, request.params.accountId)).map(keyJson) };
  });

  app.delete<{ Params: { accountId: string; keyId: string } }>('/v1/accounts/:accountId/api-keys/:keyId', { onRequest: admin, schema: { ...describe('accounts', 'Revoke an API key', 'apiToken'), params: keyParams, response: { 204: { type: 'null', description: 'Revoked' }, ...errors(400, 401, 404) } } }, async (request, reply) => {
    const { accountId, keyId } = request.params;
    if (!(await revokeApiKey(deps.db, accountId, keyId, deps.clock.now()))) throw new NotFoundError(`API key ${keyId}`);
    request.log.info({ accountId, keyId }, 'API key revoked');
    return reply.status(204).send();
  });
};
