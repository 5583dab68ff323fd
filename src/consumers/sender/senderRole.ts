// The sender role. SendMessage events trigger the first attempt at once; retries are due-time rows
// (messages.next_attempt_at) picked up by a poller. A message waiting for its retry therefore never
// holds up the partition: other accounts' messages behind it on messages.send go out immediately.
import pLimit from 'p-limit';
import type { RoleHandle, ServiceContext } from '../../service.js';
import { startConsumer } from '../pipeline/pipeline.js';
import { attemptDelivery } from './deliver.js';

export async function startSender(ctx: ServiceContext): Promise<RoleHandle> {
  const log = ctx.log.child({ component: 'sender' });
  const limit = pLimit(ctx.config.sending.concurrency);

  const consumer = await startConsumer(ctx.pipeline, {
    name: 'sender',
    topics: ['messages.send'],
    eventTypes: ['SendMessage'],
    batchSize: 50,
    prepareConcurrency: ctx.config.sending.concurrency,
    // Idempotent: a message that is no longer pending, or leased by another attempt, is left alone.
    prepare: async (event) => void (await limit(() => attemptDelivery(ctx, event.value.messageId))),
  });

  let running = true;
  let wake: (() => void) | undefined;
  const poll = async () => {
    while (running) {
      try {
        // Retries that are due, and first attempts whose SendMessage has not arrived for a while
        // (a safety net: the event is the normal path).
        const due = (await ctx.db('messages')
          .where({ status: 'pending' })
          .where('next_attempt_at', '<=', ctx.db.fn.now())
          .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', ctx.db.fn.now()))
          .where((q) => q.where('attempts', '>', 0).orWhereRaw(`created_at < now() - interval '30 seconds'`))
          .orderBy('next_attempt_at')
          .limit(100)
          .pluck('id')) as string[];
        await Promise.all(due.map((id) => limit(() => attemptDelivery(ctx, id))));
        if (due.length === 100) continue;
      } catch (error) {
        log.error({ err: error }, 'retry poll failed; trying again');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ctx.config.sending.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const poller = poll();

  return {
    async stop() {
      running = false;
      wake?.();
      await poller;
      await consumer.stop();
    },
  };
}
