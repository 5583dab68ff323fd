// Layer: counts what the layers below applied and what the inbox skipped as duplicates.
import type { EventType } from '../../events/schemas.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Apply } from './consumedEvent.js';

export function countApplied<K extends EventType>(
  apply: Apply<K>,
  o: { metrics: Pick<Metrics, 'consumed' | 'deduplicated'>; consumer: string; topicPrefix: string },
): Apply<K> {
  return async (events, ctx) => {
    const applied = await apply(events, ctx);
    const base = (topic: string) => topic.slice(o.topicPrefix.length);
    for (const e of applied) o.metrics.consumed.inc({ consumer: o.consumer, topic: base(e.topic) });
    const skipped = events.length - applied.length;
    if (skipped > 0) {
      o.metrics.deduplicated.inc({ consumer: o.consumer, topic: base(events[0]!.topic) }, skipped);
      ctx.log.debug({ skipped }, 'duplicate events skipped');
    }
    return applied;
  };
}
