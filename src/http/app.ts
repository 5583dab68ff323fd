import Fastify, { LogController, type FastifyError } from 'fastify';
import type { Logger } from '../platform/logger.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import { STATUS_OF, UnauthorizedError } from './errors.js';
import { findIllFormedText } from './wellFormedText.js';

/** How deep an ajv error's field is: its instance path, plus the missing or extra property it names. */
const depthOf = (e: { instancePath: string; params: unknown }) =>
  e.instancePath.split('/').length + ((e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty !== undefined || (e.params as { additionalProperty?: string }).additionalProperty !== undefined ? 1 : 0);

// What a route schema says about itself for the OpenAPI document (fastify ignores these keys; a
// generator such as @fastify/swagger reads them).
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
}

/** The fastify app with the error mapping every route shares. Routes are registered by the caller. */
export type HttpApp = ReturnType<typeof createHttpApp>;

export function createHttpApp(log: Logger) {
  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }),
    // One line per request, written by the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024 * 1024,
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true } },
  });

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

  app.addHook('onResponse', (request, reply, done) => {
    if (request.url !== '/healthz' && request.url !== '/metrics') {
      request.log.info({ method: request.method, url: request.routeOptions.url ?? request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  // Text PostgreSQL cannot store is a bad request, not a 500 at the database.
  app.addHook('preValidation', async (request) => {
    const field =
      findIllFormedText(request.params, 'params') ?? findIllFormedText(request.query, 'querystring') ?? findIllFormedText(request.body, 'body');
    if (field) throw new ValidationError(field, 'must not contain NUL characters or unpaired UTF-16 surrogates');
  });

  app.setErrorHandler((error: FastifyError | DomainError | UnauthorizedError, request, reply) => {
    if (error instanceof UnauthorizedError) return reply.status(401).send({ error: 'unauthorized' });
    if (error instanceof DomainError) return reply.status(STATUS_OF[error.code]).send({ error: error.code, message: error.message, ...error.details });
    if (error.validation) {
      // fastify's own JSON-schema validation: name the offending field, e.g. "body/ads/3/price": the
      // deepest one, so that a value failing every branch of an anyOf names its own field, not its parent.
      const first = [...error.validation].filter((v) => v.keyword !== 'anyOf' && v.keyword !== 'oneOf').sort((a, b) => depthOf(b) - depthOf(a))[0] ?? error.validation[0];
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
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.code ?? 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  });

  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }));
  return app;
}
