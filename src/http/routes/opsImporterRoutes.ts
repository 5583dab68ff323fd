// The operator's console, its importer side (behind OPS_TOKEN):
//   GET /v1/ops/lobstr-runs?limit=   the latest Lobstr runs: imported, importing, retrying, or failed and why
import type { Db } from '../../db/knex.js';
import { listLobstrRuns } from '../../sql/lobstr/listLobstrRuns.js';
import type { HttpApp } from '../app.js';
import { isoOrNull } from '../jsonValues.js';
import { opsRouteFamily } from '../routeFamily.js';
import { arrayOf, dateTime, nullable, object, query, limitParam, text, int } from '../schemas.js';

export interface OpsImporterDeps {
  db: Db;
  opsToken: string | undefined;
}

const runSchema = object({
  runId: text,
  squid: nullable(text),
  status: {
    type: 'string',
    description:
      'pending, importing, retrying (Lobstr could not serve it; tried again at nextAttemptAt), done, failed (lastError says why: Lobstr refused it, or it kept failing and the importer gave up), waiting (seen unfinished by the reconciliation)',
  },
  trigger: { ...nullable(text), description: 'webhook or reconcile' },
  nextPage: int,
  totalPages: nullable(int),
  adsReceived: int,
  resultsSkipped: int,
  attempts: { ...int, description: 'Attempts that failed because Lobstr could not serve the run' },
  lastError: nullable(text),
  nextAttemptAt: nullable(dateTime),
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const registerOpsImporterRoutes = (deps: OpsImporterDeps) => (app: HttpApp) => {
  app.get<{ Querystring: { limit?: string } }>(
    '/v1/ops/lobstr-runs',
    opsRouteFamily(deps.opsToken)('The latest Lobstr runs, newest first: how far each import went, or why it failed', {
      querystring: query({ limit: limitParam(100) }),
      response: { 200: object({ runs: arrayOf(runSchema) }) },
    }),
    async (request) => ({
      runs: (await listLobstrRuns(deps.db, Number(request.query.limit ?? 20))).map((r) => ({
        ...r,
        nextAttemptAt: isoOrNull(r.nextAttemptAt),
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      })),
    }),
  );
};
