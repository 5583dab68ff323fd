// GET /healthz (alive), /readyz (database, migrations, broker, and each role), /metrics (Prometheus): on
// every process, served from the moment it starts.
import type { Admin } from 'kafkajs';
import type { Db } from '../../db/knex.js';
import { migrationsApplied } from '../../db/migrate.js';
import type { Metrics } from '../../platform/metrics.js';
import { pingDatabase } from '../../sql/ops/pingDatabase.js';
import { selectActiveHolds } from '../../sql/holds/selectActiveHolds.js';
import type { HttpApp } from '../app.js';
import { arrayOf, dateTime, describe, nullable, object, text } from '../schemas.js';

const check = { type: 'string', description: 'ok, missing, or down: <why>' } as const;
const count = { type: 'integer' } as const;
// What the importer role says about Lobstr (src/importer/phoneReport.ts): the fields of the last run, its phones, the reconciliation.
const importerDetails = object(
  {
    lastRun: nullable(
      object({
        runId: text,
        squid: nullable(text),
        trigger: text,
        completedAt: dateTime,
        results: count,
        resultsWithPhone: count,
        mobileDisagreements: count,
        fields: arrayOf(text),
      }),
    ),
    phones: {
      type: 'string',
      enum: ['ok', 'none', 'unknown'],
      description: 'ok: the last run carried phones; none: not one (see warning); unknown: no run imported yet',
    },
    warning: text,
    reconcile: object({
      everyMs: count,
      squids: arrayOf(
        object({
          squid: text,
          lastPassAt: nullable(dateTime),
          nextPassAt: nullable(dateTime),
          lastError: nullable(text),
          runsFound: count,
        }),
      ),
    }),
  },
  {
    optional: ['warning'],
    description:
      'The importer role: which fields the last Lobstr run returned, whether they carry phones, and where the reconciliation of each squid stands',
  },
);
const readiness = object(
  {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: object({ database: check, migrations: check, broker: check }),
    roles: {
      type: 'object',
      description: 'Each role of this process: starting, running or failed',
      additionalProperties: { type: 'string', enum: ['starting', 'running', 'failed'] },
    },
    details: object(
      { importer: importerDetails },
      { optional: ['importer'], description: 'What some roles of this process report' },
    ),
  },
  { optional: ['details'] },
);

export type RoleState = 'starting' | 'running' | 'failed';

export interface HealthRoutesDeps {
  db: Db;
  admin: Pick<Admin, 'describeCluster'>;
  metrics: Pick<Metrics, 'registry' | 'ready' | 'sendingHeld'>;
  /** The roles of this process and how far each got (a live view, filled while they start). */
  roles: ReadonlyMap<string, RoleState>;
  /** What a role of this process reports in /readyz (the importer: its Lobstr report). */
  details?: { importer?: () => Promise<unknown> };
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);

/** What the routes of registerHealthRoutes share, made once per registration. */
function healthRoutesShared(deps: HealthRoutesDeps) {
  const checkReadiness = async () => {
    const check = async (fn: () => Promise<boolean>) => {
      try {
        return (await withTimeout(fn(), 2000)) ? 'ok' : 'missing';
      } catch (error) {
        return `down: ${(error as Error).message}`;
      }
    };
    const [database, migrations, broker] = await Promise.all([
      check(async () => (await pingDatabase(deps.db), true)),
      check(() => migrationsApplied(deps.db)),
      check(async () => (await deps.admin.describeCluster()).brokers.length > 0),
    ]);
    const checks = { database, migrations, broker };
    // A process with the api role is ready as soon as the API can take writes (the database and its
    // migrations): ingestion is accepted while consumers are still joining, the outbox keeps what
    // arrives. A process without it is ready when every role runs and the broker answers too.
    const ready =
      database === 'ok' &&
      migrations === 'ok' &&
      (deps.roles.get('api') === 'running' ||
        (broker === 'ok' && [...deps.roles.values()].every((r) => r === 'running')));
    return { ready, checks };
  };

  // A report that cannot be read (the database is down) is left out: the checks already say why.
  const roleDetails = async () => {
    const importer = deps.details?.importer;
    if (!importer) return undefined;
    try {
      return { importer: await withTimeout(importer(), 2000) };
    } catch {
      return undefined;
    }
  };
  return { checkReadiness, roleDetails };
}
type HealthRoutesShared = ReturnType<typeof healthRoutesShared>;

export const registerHealthRoutes = (deps: HealthRoutesDeps) => (app: HttpApp) => {
  const shared = healthRoutesShared(deps);
  getHealthz(app);
  getReadyz(app, deps, shared);
  getMetrics(app, deps, shared);
};

function getHealthz(app: HttpApp) {
  app.get(
    '/healthz',
    {
      schema: {
        ...describe('health', 'The process is alive'),
        response: { 200: object({ status: { type: 'string', enum: ['ok'] } }) },
      },
    },
    async () => ({ status: 'ok' }),
  );
}

function getReadyz(app: HttpApp, deps: HealthRoutesDeps, { checkReadiness, roleDetails }: HealthRoutesShared) {
  app.get(
    '/readyz',
    {
      schema: {
        ...describe(
          'health',
          'Ready for traffic: with the api role as soon as the database and its migrations answer; otherwise when the broker answers and every role runs',
        ),
        response: { 200: { ...readiness, description: 'Ready' }, 503: { ...readiness, description: 'Not ready' } },
      },
    },
    async (_request, reply) => {
      const { ready, checks } = await checkReadiness();
      const details = await roleDetails();
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks,
        roles: Object.fromEntries(deps.roles),
        ...(details ? { details } : {}),
      });
    },
  );
}

function getMetrics(app: HttpApp, deps: HealthRoutesDeps, { checkReadiness }: HealthRoutesShared) {
  app.get(
    '/metrics',
    {
      schema: {
        ...describe('health', 'Prometheus metrics, hunt_matcher_* (docs: docs/operations.md, Observability)'),
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (_request, reply) => {
      // hunt_matcher_ready{check}: what /readyz answers, for alerts that cannot call /readyz themselves.
      const { checks } = await checkReadiness();
      for (const [check, state] of Object.entries(checks)) deps.metrics.ready.set({ check }, state === 'ok' ? 1 : 0);
      // hunt_matcher_sending_held{scope,reason}: the holds in force, from the database (every instance says the same).
      if (checks.database === 'ok') {
        try {
          const holds = await withTimeout(selectActiveHolds(deps.db), 2000);
          deps.metrics.sendingHeld.reset();
          for (const h of holds) deps.metrics.sendingHeld.inc({ scope: h.scope, reason: h.reason });
        } catch {
          // The last values stay; readiness says what is wrong.
        }
      }
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}
