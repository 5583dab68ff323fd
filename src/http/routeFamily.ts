// The options of a family of routes, said once: the document's tag, the token, the guard that checks it and the
// errors they answer. Each route then says only its summary, what it reads and what it answers.
import { requireBearer } from './auth.js';
import { describe, errors, type SecurityScheme } from './schemas.js';

type Schema = Record<string, unknown>;
export type ErrorCode = Parameters<typeof errors>[number];

/** What one route reads and answers. */
export interface RouteSchema {
  params?: Schema;
  querystring?: Schema;
  headers?: Schema;
  body?: Schema;
  /** More than its summary says. */
  description?: string;
  /** Its answers by status; its documented errors are added to them. */
  response: Record<number, unknown>;
  /** Its errors, where they are not its family's. */
  errors?: ErrorCode[];
}

/**
 * The options of a route of the family with this tag in the document, this token (none: public or checked otherwise),
 * this guard and these errors: `hunts('A hunt', { params, response: { 200: hunt } })`.
 */
export const routeFamily =
  <Hook>(tag: string, security: SecurityScheme | undefined, onRequest: Hook, familyErrors: ErrorCode[]) =>
  (summary: string, { errors: codes = familyErrors, response, ...reads }: RouteSchema) => ({
    onRequest,
    schema: { ...describe(tag, summary, security), ...reads, response: { ...response, ...errors(...codes) } },
  });

/** The operator's JSON under /v1/ops/, behind OPS_TOKEN. */
export const opsRouteFamily = (opsToken: string | undefined) =>
  routeFamily('ops', 'opsToken', requireBearer(opsToken), [400, 401]);
