import fastifyResponseValidation from '@fastify/response-validation';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { unavailableDependency } from '../platform/infrastructureFailure.js';
import type { Logger } from '../platform/logger.js';
import { ERROR_SCHEMA, SECURITY_SCHEMES } from './schemas.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import { RETRY_AFTER_SECONDS, STATUS_OF, UnauthorizedError } from './errors.js';
import { bodyLimitOf, DEFAULT_BODY_LIMIT, formatBytes, sharedErrors } from './routeDefaults.js';
import { findIllFormedText } from './wellFormedText.js';

/** How deep an ajv error's field is: its instance path, plus the missing or extra property it names. */
const depthOf = (e: { instancePath: string; params: unknown }) =>
  e.instancePath.split('/').length +
  ((e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty !== undefined ||
  (e.params as { additionalProperty?: string }).additionalProperty !== undefined
    ? 1
    : 0);

/** A request slower than this is logged at info, whatever its status. */
const SLOW_REQUEST_MS = 1000;

/** The fastify app with the error mapping every route shares. Routes are registered by the caller. */
export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>;

export interface RegisteredRoute {
  method: string;
  url: string;
  /** Left out of the OpenAPI document on purpose (static files, Swagger UI's own assets). */
  hidden: boolean;
}

const ROUTES = new WeakMap<object, RegisteredRoute[]>();

/** Every route registered on the app (each method of each URL), to check the document against. */
export const registeredRoutes = (app: HttpApp): readonly RegisteredRoute[] => ROUTES.get(app) ?? [];

export interface HttpAppOptions {
  /** Check every response against its route's schema before sending it (HTTP_VALIDATE_RESPONSES). */
  validateResponses: boolean;
  version: string;
}

export async function createHttpApp(log: Logger, options: HttpAppOptions) {
  const app = newFastify(log);
  recordRoutes(app);
  await registerDocs(app, options);
  acceptEmptyJsonBodies(app);
  addRequestHooks(app);
  app.setErrorHandler(errorAnswer);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );
  return app;
}

type BareApp = ReturnType<typeof newFastify>;

function newFastify(log: Logger) {
  return Fastify({
    loggerInstance: log.child({ component: 'http' }),
    // One line per request, written by the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Each route's own limit is set below from its URL (src/http/routeDefaults.ts).
    bodyLimit: DEFAULT_BODY_LIMIT,
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true } },
  });
}

/** Every route registered, kept for the OpenAPI checks; each route's body limit and shared error answers. */
function recordRoutes(app: BareApp) {
  // A response schema documents a response; it must never drop a field the handler returned (which
  // fast-json-stringify, fastify's default, does silently). The test suite checks instead that every
  // response matches its schema (validateResponses), so the OpenAPI document stays true.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const routes: RegisteredRoute[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimitOf(route.url);
    const response = (route.schema as { response?: Record<number, unknown> } | undefined)?.response;
    if (response) route.schema = { ...route.schema, response: { ...sharedErrors(route), ...response } };
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden });
  });
  app.addSchema(ERROR_SCHEMA);
}

/** The OpenAPI document, Swagger UI, and (in tests) every response checked against its schema. */
async function registerDocs(app: BareApp, options: HttpAppOptions) {
  // The OpenAPI 3.1 document, from the routes' own schemas (every route registered after this line).
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hunt-matcher',
        version: options.version,
        description:
          'Matches scraped car ads against saved hunts, creates CRM leads and messages the sellers. Events: asyncapi.yaml and docs/events.md.',
      },
      // Relative: Swagger UI calls the service that serves the document, wherever it runs.
      servers: [{ url: '/', description: 'this service (the origin serving this document)' }],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    // Shared schemas keep their own names in components.schemas (Error), not def-0.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  // The tokens given to "Authorize" are kept across reloads of the page (in the browser's storage).
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: true },
  });
  app.get(
    '/openapi.json',
    { schema: { tags: ['docs'], summary: 'This document (OpenAPI 3.1); Swagger UI at /docs' } },
    () => app.swagger(),
  );
  if (options.validateResponses) {
    const ajv = new Ajv({
      allErrors: true,
      removeAdditional: false,
      coerceTypes: false,
      useDefaults: false,
      strict: false,
    });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema(ERROR_SCHEMA);
    // Every status a route answers must be documented, and every body must match its schema.
    await app.register(fastifyResponseValidation, { ajv, responseStatusCodeValidation: true });
  }
}

function acceptEmptyJsonBodies(app: BareApp) {
  // Many HTTP clients send `content-type: application/json` with an empty body on a DELETE or a
  // bodiless POST; fastify's own parser refuses that (FST_ERR_CTP_EMPTY_JSON_BODY). An empty body is
  // no body: a route that needs one still gets its 400 from its schema. Anything else goes through
  // fastify's parser (secure-json-parse, prototype poisoning refused).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    void parseJson(request, body as string, done);
  });
}

/** The request log line, and text PostgreSQL cannot store refused before any handler. */
function addRequestHooks(app: BareApp) {
  // One line per request: at info for an answer that went wrong (4xx, 5xx) or took long, at debug for
  // the others (LOG_LEVEL=debug shows every request). A line per request at info buried the lines that
  // mattered under the console's polling and a client's routine calls.
  app.addHook('onResponse', (request, reply, done) => {
    if (request.url !== '/healthz' && request.url !== '/metrics') {
      const ms = Math.round(reply.elapsedTime);
      const notable = reply.statusCode >= 400 || ms >= SLOW_REQUEST_MS;
      request.log[notable ? 'info' : 'debug'](
        { method: request.method, url: request.routeOptions.url ?? request.url, status: reply.statusCode, ms },
        'request',
      );
    }
    done();
  });

  // Text PostgreSQL cannot store is a bad request, not a 500 at the database.
  app.addHook('preValidation', async (request) => {
    const field =
      findIllFormedText(request.params, 'params') ??
      findIllFormedText(request.query, 'querystring') ??
      findIllFormedText(request.body, 'body');
    if (field) throw new ValidationError(field, 'must not contain NUL characters or unpaired UTF-16 surrogates');
  });
}

/** The one place where errors become HTTP answers. */
function errorAnswer(
  error: FastifyError | DomainError | UnauthorizedError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof UnauthorizedError) return reply.status(401).send({ error: 'unauthorized' });
  if (error instanceof DomainError)
    return reply.status(STATUS_OF[error.code]).send({ error: error.code, message: error.message, ...error.details });
  if (error.validation) {
    // fastify's own JSON-schema validation: name the offending field, e.g. "body/ads/3/price": the
    // deepest one, so that a value failing every branch of an anyOf names its own field, not its parent.
    const first =
      [...error.validation]
        .filter((v) => v.keyword !== 'anyOf' && v.keyword !== 'oneOf')
        .sort((a, b) => depthOf(b) - depthOf(a))[0] ?? error.validation[0];
    const path = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const field = missing ? `${path}/${missing}` : extra ? `${path}/${extra}` : path;
    const message = missing ? 'is required' : extra ? 'is not a known field' : (first?.message ?? 'is invalid');
    return reply.status(400).send({ error: 'validation_failed', message: `${field} ${message}`, field });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return reply.status(400).send({ error: 'validation_failed', message: 'body is not valid JSON', field: 'body' });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
    return reply.status(413).send({
      error: 'payload_too_large',
      message: `the body is larger than the ${formatBytes(limit)} (${limit} bytes) this route accepts`,
      limitBytes: limit,
    });
  }
  // The database (or the broker) is unavailable: the client should come back, not report a bug.
  const dependency = unavailableDependency(error);
  if (dependency) {
    request.log.warn(
      { dependency, error: `${error.name}: ${error.message}` },
      `request refused: the ${dependency} is unavailable`,
    );
    return reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({
        error: 'unavailable',
        message: `the ${dependency} is unavailable for a moment; retry after ${RETRY_AFTER_SECONDS} s`,
      });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.status(error.statusCode).send({ error: error.code ?? 'bad_request', message: error.message });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ error: 'internal', message: 'internal error' });
}
