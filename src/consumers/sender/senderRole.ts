// The sender role. SendMessage events trigger the first attempt at once; retries are due-time rows
// (messages.next_attempt_at) picked up by a poller. A message waiting for its retry therefore never
// holds up the partition: other accounts' messages behind it on messages.send go out immediately.
import pLimit from 'p-limit';
import type { RoleHandle } from '../../platform/roleHandle.js';
import { selectDueMessages } from '../../sql/selectDueMessages.js';
import type { StartConsumer } from '../pipeline/pipeline.js';
import { attemptDelivery, type DeliveryDeps } from './deliver.js';

export interface SenderDeps extends DeliveryDeps {
  consume: StartConsumer;
}

export async function startSender(deps: SenderDeps): Promise<RoleHandle> {
  const log = deps.log.child({ component: 'sender' });
  const limit = pLimit(deps.sending.concurrency);

  const consumer = await deps.consume({
    name: 'sender',
    topics: ['messages.send'],
    eventTypes: ['SendMessage'],
    batchSize: 50,
    hops: { published: 'publish_to_sender' },
    stage: {
      name: 'deliver',
      concurrency: deps.sending.concurrency,
      // Idempotent: a message that is no longer pending, or leased by another attempt, is left alone.
      run: async (event) => void (await limit(() => attemptDelivery(deps, event.value.messageId, { receivedAt: event.receivedAt }))),
    },
  });

  let running = true;
  let wake: (() => void) | undefined;
  const poll = async () => {
    while (running) {
      try {
        const due = await selectDueMessages(deps.db, 100);
        await Promise.all(due.map((id) => limit(() => attemptDelivery(deps, id))));
        if (due.length === 100) continue;
      } catch (error) {
        log.error({ err: error }, 'retry poll failed; trying again');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deps.sending.pollMs);
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
