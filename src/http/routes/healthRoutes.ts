// GET /healthz (alive), /readyz (database, migrations, broker), /metrics (Prometheus): on every process.
import type { Admin } from 'kafkajs';
import type { Db } from '../../db/knex.js';
import { migrationsApplied } from '../../db/migrate.js';
import type { Metrics } from '../../platform/metrics.js';
import { pingDatabase } from '../../sql/pingDatabase.js';
import type { HttpApp } from '../app.js';

export interface HealthRoutesDeps {
  db: Db;
  admin: Pick<Admin, 'describeCluster'>;
  metrics: Pick<Metrics, 'registry'>;
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

export const registerHealthRoutes = (deps: HealthRoutesDeps) => (app: HttpApp) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
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
    const ready = database === 'ok' && migrations === 'ok' && broker === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { database, migrations, broker } });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
};
