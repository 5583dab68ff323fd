// The sender role. SendMessage events trigger the first attempt at once, a batch at a time; retries
// and first attempts held until their hunt's contact hours open are due-time rows
// (messages.next_attempt_at) picked up by a poller. A message waiting for its retry
// therefore never holds up the partition: other accounts' messages behind it on messages.send go out
// immediately.
import { startPoller } from '../../platform/poller.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import { selectDueMessages } from '../../sql/messages/selectDueMessages.js';
import type { StartConsumer } from '../pipeline/pipeline.js';
import {
  createDelivery,
  decideOutcomes,
  NOTHING_RECORDED,
  recordOutcomes,
  reportOutcomes,
  type DeliveryDeps,
} from './deliver.js';

export interface SenderDeps extends DeliveryDeps {
  consume: StartConsumer;
}

const POLL_BATCH = 500;

export async function startSender(deps: SenderDeps): Promise<RoleHandle> {
  const log = deps.log.child({ component: 'sender' });
  const delivery = createDelivery(deps);
  /** Claims and calls the providers (outside any transaction); what each attempt came to. */
  const attempt = async (ids: string[], receivedAt?: number) => {
    const attempts = await delivery.deliver(ids, { receivedAt });
    return { attempts, results: decideOutcomes(attempts, deps.sending), recorded: NOTHING_RECORDED };
  };

  const consumer = await deps.consume({
    name: 'sender',
    topics: ['messages.send'],
    eventTypes: ['SendMessage'],
    batchSize: 500,
    // Two passes at once: one pass's claim and settle (the database) overlap the other's calls (the
    // providers); a third pass would only add transactions competing for the same database.
    coalesce: { passesAtOnce: 2 },
    hops: { published: 'publish_to_sender' },
    stage: {
      name: 'deliver',
      // Idempotent: a message that is no longer pending, or leased by another attempt, is left alone.
      // (A batch's events were fetched together: they share their receivedAt.)
      run: (events) =>
        attempt(
          events.map((e) => e.value.messageId),
          events[0]?.receivedAt,
        ),
      // The outcomes commit with the batch's inbox rows, and are reported once committed.
      settle: async (trx, _events, done) => {
        done.recorded = await recordOutcomes(deps, trx, done.attempts, done.results);
      },
      afterCommit: (_events, { attempts, results, recorded }) => reportOutcomes(deps, attempts, results, recorded),
    },
  });

  const poller = startPoller({
    intervalMs: deps.sending.pollMs,
    pass: async () => {
      const due = await selectDueMessages(deps.db, POLL_BATCH, deps.clock.now());
      if (due.length === 0) return;
      const { attempts, results } = await attempt(due);
      const recorded = await deps.db.transaction((trx) => recordOutcomes(deps, trx, attempts, results));
      reportOutcomes(deps, attempts, results, recorded);
      return due.length === POLL_BATCH ? 'more' : undefined;
    },
    onError: (error) => log.error({ err: error }, 'retry poll failed; trying again'),
  });

  return {
    async stop() {
      await poller.stop();
      await consumer.stop();
      await delivery.close();
    },
  };
}
