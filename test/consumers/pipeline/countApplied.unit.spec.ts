import { describe, expect, it } from 'vitest';
import { countApplied } from '../../../src/consumers/pipeline/countApplied.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { consumedHuntChanged, handlerContext } from '../../../testkit/pipelineFixtures.js';

describe('countApplied', () => {
  it('counts the events applied below it, and the rest as duplicates', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const events = [consumedHuntChanged(1), consumedHuntChanged(2), consumedHuntChanged(3)];
    const apply = countApplied(async (batch) => batch.slice(0, 1), { metrics, consumer: 'c', topicPrefix: 'p.' });
    expect(await apply(events, handlerContext())).toEqual([events[0]]);
    expect((await metrics.consumed.get()).values).toEqual([
      expect.objectContaining({ value: 1, labels: { consumer: 'c', topic: 'hunts.changed' } }),
    ]);
    expect((await metrics.deduplicated.get()).values).toEqual([
      expect.objectContaining({ value: 2, labels: { consumer: 'c', topic: 'hunts.changed' } }),
    ]);
  });
});
