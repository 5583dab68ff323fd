import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/stack/localKafka.js';
import { useTestEnv } from '../../testkit/testEnv.js';

const t = useTestEnv();

describe('/readyz', () => {
  it('answers 200 when the database, its migrations and the broker are there', async () => {
    const service = await t.startService({ ROLES: 'api' });
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', broker: 'ok' },
      roles: { api: 'running' },
    });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    await service.stop();
  });

  it('answers 503 naming the database when it is unreachable', async () => {
    const closed = await freePort();
    const service = await t.startService({
      ROLES: 'api',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nowhere`,
    });
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Record<string, string> };
    expect(body.checks.database).toMatch(/^down: /);
    expect(body.checks.broker).toBe('ok');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('hunt_matcher_ready{check="database"} 0');
    expect(metrics).toContain('hunt_matcher_ready{check="broker"} 1');
    await service.stop();
  });

  it('serves Prometheus metrics', async () => {
    const service = await t.startService({ ROLES: 'api' });
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toContain('# TYPE hunt_matcher_outbox_backlog_rows gauge');
    expect(text).toContain('hunt_matcher_ready{check="migrations"} 1');
    await service.stop();
  });
});
