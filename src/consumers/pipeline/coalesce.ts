// Layer: group commit across partitions. kafkajs hands a fetch's batches to one eachBatch call per
// partition; with this layer, the batches that arrive together are applied together, in one pass of
// the layers below (one transaction), instead of one transaction per partition, a few at a time. A
// fetch then costs one transaction, and the next fetch comes sooner: what keeps a consumer's latency
// low under load without more concurrent transactions competing for the database. Order within a
// partition is kept (kafkajs gives a partition one batch at a time); partitions have no order between them.
import type { EventType } from '../../events/schemas.js';
import type { Apply, ConsumedEvent, HandlerContext } from './consumedEvent.js';

interface Waiting<K extends EventType> {
  events: Array<ConsumedEvent<K>>;
  ctx: HandlerContext;
  resolve(applied: Array<ConsumedEvent<K>>): void;
  reject(error: unknown): void;
}

export function coalesce<K extends EventType>(
  apply: Apply<K>,
  options: { maxEvents?: number; passesAtOnce?: number } = {},
): Apply<K> {
  const maxEvents = options.maxEvents ?? 2000;
  const passesAtOnce = options.passesAtOnce ?? 1;
  const waiting: Array<Waiting<K>> = [];
  let running = 0;
  let scheduled = false;

  /** Starts passes while there is room, once the other partitions' eachBatch calls of the same fetch arrived (they start together). */
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (running < passesAtOnce && waiting.length > 0) void pass(take());
    });
  }

  function take(): Array<Waiting<K>> {
    const group: Array<Waiting<K>> = [];
    let size = 0;
    while (waiting.length > 0 && (group.length === 0 || size + waiting[0]!.events.length <= maxEvents)) {
      const next = waiting.shift()!;
      group.push(next);
      size += next.events.length;
    }
    return group;
  }

  async function pass(group: Array<Waiting<K>>) {
    running++;
    const ctx: HandlerContext = {
      log: group[0]!.ctx.log,
      heartbeat: async () => void (await Promise.all(group.map((g) => g.ctx.heartbeat()))),
      isRunning: () => group.every((g) => g.ctx.isRunning()),
    };
    try {
      const applied = new Set(
        await apply(
          group.flatMap((g) => g.events),
          ctx,
        ),
      );
      for (const g of group) g.resolve(g.events.filter((e) => applied.has(e)));
    } catch (error) {
      for (const g of group) g.reject(error);
    } finally {
      running--;
      if (waiting.length > 0) schedule();
    }
  }

  return (events, ctx) =>
    new Promise((resolve, reject) => {
      waiting.push({ events, ctx, resolve, reject });
      schedule();
    });
}
