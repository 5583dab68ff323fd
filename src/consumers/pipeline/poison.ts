// Layer: isolate the poison event. When a batch fails for good, its events are applied one by one,
// so that the good ones still go through and only the culprit goes to the dead-letter topic, with
// the reason in its headers (watermill's poison queue).
import type { EventType } from '../../events/schemas.js';
import type { Apply, ConsumedEvent } from './consumedEvent.js';
import { PoisonFailure } from './retry.js';

export type DeadLetter = (event: Pick<ConsumedEvent, 'topic' | 'partition' | 'raw'>, reason: string, error: unknown) => Promise<void>;

export function isolatePoison<K extends EventType>(apply: Apply<K>, deadLetter: DeadLetter): Apply<K> {
  const guarded: Apply<K> = async (events, ctx) => {
    try {
      return await apply(events, ctx);
    } catch (error) {
      if (!(error instanceof PoisonFailure)) throw error;
      if (events.length === 1) {
        await deadLetter(events[0]!, 'handler-failed', error.cause);
        return [];
      }
      const applied: Array<ConsumedEvent<K>> = [];
      for (const event of events) applied.push(...(await guarded([event], ctx)));
      return applied;
    }
  };
  return guarded;
}
