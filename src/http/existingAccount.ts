// The account a route under /v1/accounts/:accountId/ works on must exist and be the caller's to see: a
// missing account and, for an account key, another account's answer the same 404.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/knex.js';
import { NotFoundError } from '../domain/errors.js';
import { accountExists } from '../sql/accounts/accountExists.js';
import { assertAccountVisible } from './auth.js';
import type { RouteSchema } from './routeFamily.js';
import { accountParams } from './schemas.js';

/** The route's :accountId once the caller may see it and it exists; otherwise the 404 of `account <id>`. */
export async function existingAccountOf(
  db: Db,
  request: FastifyRequest<{ Params: { accountId: string } }>,
): Promise<string> {
  const { accountId } = request.params;
  assertAccountVisible(request, accountId, `account ${accountId}`);
  if (!(await accountExists(db, accountId))) throw new NotFoundError(`account ${accountId}`);
  return accountId;
}

/**
 * The routes of `family` under /v1/accounts/:accountId/ that work on an account that exists: each reads
 * accountParams, and before its handler runs the account must exist and be the caller's to see (otherwise the 404 of
 * `account <id>`), so the handler takes request.params.accountId as it is.
 */
export const existingAccountRoutes =
  <Options extends object>(db: Db, family: (summary: string, schema: RouteSchema) => Options) =>
  (summary: string, schema: Omit<RouteSchema, 'params'>) => ({
    ...family(summary, { params: accountParams, ...schema }),
    preHandler: async (request: FastifyRequest<{ Params: { accountId: string } }>) => {
      await existingAccountOf(db, request);
    },
  });
