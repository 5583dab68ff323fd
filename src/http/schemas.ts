// The building blocks of the routes' JSON schemas. fastify validates requests with them,
// @fastify/swagger describes every route from them at /openapi.json, and with
// HTTP_VALIDATE_RESPONSES=true (the test suite) every response is checked against them before it is
// sent, so the document cannot drift from what the API answers. Responses are serialised with
// JSON.stringify (src/http/app.ts): a schema documents a response, it never silently drops a field.

/**
 * The tokens of docs/ARCHITECTURE.md section 6, as OpenAPI security schemes (all `Authorization: Bearer`):
 * Swagger UI's "Authorize" asks for each, and says which one `npm run dev` prints.
 */
export const SECURITY_SCHEMES = {
  apiToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'API_TOKEN (every account), or an account API key `hm_live_...` (that account only). npm run dev: dev-api-token',
  },
  ingestToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'INGEST_TOKEN: the scrapers posting ads. npm run dev: dev-ingest-token',
  },
  cronSecret: {
    type: 'http',
    scheme: 'bearer',
    description: 'CRON_SECRET: whoever triggers the daily catch-up. npm run dev: dev-cron-secret',
  },
  opsToken: {
    type: 'http',
    scheme: 'bearer',
    description: "OPS_TOKEN: the operator's console and its JSON under /v1/ops/. npm run dev: dev-ops-token",
  },
} as const;

export type SecurityScheme = keyof typeof SECURITY_SCHEMES;

/** Shared schemas, added to fastify once (app.addSchema) and listed in the document's components. */
export const ERROR_SCHEMA = {
  $id: 'Error',
  type: 'object',
  description: 'Every error. A 400 names the offending field as a path, e.g. body/ads/3/price or querystring/limit.',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'string',
      description: 'validation_failed, not_found, conflict, unauthorized, payload_too_large, unavailable, ...',
    },
    message: { type: 'string' },
    field: { type: 'string', description: 'With validation_failed: the field, as a path' },
    limitBytes: { type: 'integer', description: "With payload_too_large: the route's body limit, in bytes" },
  },
} as const;

const errorRef = { $ref: 'Error#' } as const;
const ERROR_DESCRIPTIONS = {
  400: 'Invalid request: `field` names what is wrong; nothing was written',
  401: 'Missing or wrong token',
  403: 'The request is not signed by whom it claims to come from (a provider callback with a wrong or missing signature); nothing was recorded',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'The body is larger than this route accepts (`payload_too_large`; `limitBytes` says the limit); nothing was written',
  502: 'A service this one relies on refused or failed',
  500: 'Internal error (logged with the request; nothing half-written: every write is one transaction)',
  503: "The database (or, for the dead letters, the broker) is unavailable for a moment (`unavailable`): retry after the `Retry-After` header's seconds; nothing was written",
} as const;

/** Error responses of a route, by status; every route may also answer 500. */
export const errors = (...codes: Array<Exclude<keyof typeof ERROR_DESCRIPTIONS, 500>>) =>
  Object.fromEntries(
    [...codes, 500 as const].map((code) => [code, { description: ERROR_DESCRIPTIONS[code], ...errorRef }]),
  ) as Record<number, unknown>;

type Schema = Record<string, unknown>;

/** An object with exactly these properties; every one is present unless listed as optional. */
export const object = (
  properties: Record<string, Schema>,
  options: { optional?: readonly string[]; description?: string } = {},
) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !options.optional?.includes(k)),
  properties,
  ...(options.description ? { description: options.description } : {}),
});

export const nullable = (schema: Schema) => ({ anyOf: [schema, { type: 'null' }] });
export const text = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const uuid = { type: 'string', format: 'uuid' } as const;
/** The :accountId of a route under /v1/accounts/:accountId/. */
export const accountParams = { type: 'object', required: ['accountId'], properties: { accountId: uuid } } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;
export const arrayOf = (items: Schema) => ({ type: 'array', items });

/** The answer of a route that answers nothing: 204 and its meaning ('Deleted'). */
export const noContent = (description: string) => ({ 204: { type: 'null', description } });

/** A query string of these parameters, each optional, and no other. */
export const query = (properties: Record<string, Schema>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

const LIMIT_PATTERNS = { 100: '^(?:[1-9][0-9]?|100)$', 500: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$' } as const;
/**
 * A page size in the query string, 1 to `max`. Requests are validated without type coercion, so numbers in the
 * query string are strings here.
 */
export const limitParam = (max: keyof typeof LIMIT_PATTERNS) => ({ type: 'string', pattern: LIMIT_PATTERNS[max] });

/** What every route's schema says about itself in the document. */
export const describe = (tag: string, summary: string, security?: SecurityScheme) => ({
  tags: [tag],
  summary,
  ...(security ? { security: [{ [security]: [] }] } : {}),
});
