import { describe, expect, it } from 'vitest';
import { createMetrics, METRIC_PREFIX } from '../../src/platform/metrics.js';

describe('metric names', () => {
  it('carry the hunt_matcher_ prefix, except the standard process and Node.js metrics', async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const ours = names.filter((n) => !/^(process|nodejs)_/.test(n));
    expect(ours.length).toBeGreaterThan(15);
    expect(ours.filter((n) => !n.startsWith(METRIC_PREFIX))).toEqual([]);
    expect(names).toContain('hunt_matcher_hop_seconds');
  });
});
