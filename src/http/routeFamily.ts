// The options of a family of routes, said once: the document's tag, the token, the guard that checks it and the
// errors they answer. Each route then says only its summary, what it reads and what it answers.
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

export interface RouteFamily<Hook> {
  tag: string;
  security?: SecurityScheme;
  onRequest: Hook;
  errors: ErrorCode[];
}

/** A route's options (its guard and its schema) in `family`: `hunts('A hunt', { params, response: { 200: hunt } })`. */
export const routeFamily =
  <Hook>(family: RouteFamily<Hook>) =>
  (summary: string, { errors: codes = family.errors, response, ...reads }: RouteSchema) => ({
    onRequest: family.onRequest,
    schema: {
      ...describe(family.tag, summary, family.security),
      ...reads,
      response: { ...response, ...errors(...codes) },
    },
  });
