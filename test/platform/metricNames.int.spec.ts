// Every metric the Grafana dashboard and the Prometheus alerts name is one a running service exposes.
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../testkit/testEnv.js';
import { metricNamesUsed } from '../../testkit/observabilityKit.js';

const t = useTestEnv();

describe('the observability kit', () => {
  it('names only metrics that /metrics exposes', async () => {
    const service = await t.startService({ ROLES: 'api,relay' });
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const exposed = (name: string) => {
      const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
      return types.has(name) || (histogram !== null && types.get(histogram[1]!) === 'histogram');
    };
    const used = [...metricNamesUsed()];
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((name) => !exposed(name))).toEqual([]);
  });
});
