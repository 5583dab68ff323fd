// The webhook deliverer role (ROLES=webhooks): consumes the downstream topics (leads.created,
// messages.sent, messages.failed, messages.delivered, messages.replied) into delivery rows
// (recordDeliveries.ts), and posts them, signed as Standard Webhooks asks (dispatch.ts). Any number
// of instances: the consumer group shares the partitions, the leases share the deliveries.
import type { Db } from '../../db/knex.js';
import { WEBHOOK_SOURCE_EVENTS } from '../../events/webhookPayloads.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import { countFailingEndpoints } from '../../sql/webhookEndpoints/countFailingEndpoints.js';
import { pruneWebhooks } from '../../sql/webhookDeliveries/pruneWebhooks.js';
import type { UrlPolicy } from '../../webhooks/addressPolicy.js';
import { createWebhookSender } from '../../webhooks/sendWebhook.js';
import type { StartConsumer } from '../pipeline/pipeline.js';
import { startDispatcher, type DispatchSettings } from './dispatch.js';
import { LEAD_MARK_WINDOW_MS, recordDeliveries } from './recordDeliveries.js';

export interface WebhooksDeps {
  db: Db;
  consume: StartConsumer;
  /** Schedules the attempts (due times, the failing window). */
  clock: Clock;
  /** The time signatures carry: the real time, which receivers compare with their own clocks. */
  signingClock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'webhookAttempts' | 'webhookEndpointsDisabled' | 'webhookEndpointsFailing'>;
  settings: DispatchSettings & UrlPolicy & { timeoutMs: number };
}

/** Finished deliveries are kept this long for GET .../deliveries, then pruned. */
const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;
const HOUSEKEEPING_MS = 60_000;

export async function startWebhooks(deps: WebhooksDeps): Promise<RoleHandle> {
  const log = deps.log.child({ component: 'webhooks' });
  const { settings } = deps;
  const sender = createWebhookSender({
    policy: { allowHttp: settings.allowHttp, allowedHosts: settings.allowedHosts },
    timeoutMs: settings.timeoutMs,
    connectionsPerOrigin: settings.endpointConcurrency,
    now: () => deps.signingClock.now(),
  });
  const dispatcher = startDispatcher({ db: deps.db, clock: deps.clock, log, metrics: deps.metrics, sender, settings });

  const consumer = await deps.consume({
    name: 'webhooks',
    topics: ['leads.created', 'messages.sent', 'messages.failed', 'messages.delivered', 'messages.replied'],
    eventTypes: WEBHOOK_SOURCE_EVENTS,
    batchSize: 200,
    // No inbox rows: a delivery is unique per endpoint and event, and a lead's mark per lead, so an
    // event read twice writes nothing twice; a deployment without subscriptions writes nothing at all.
    dedupe: false,
    handle: async (trx, events) => {
      if ((await recordDeliveries(trx, events, deps.clock.now())) > 0)
        // The dispatcher looks once they are committed, not at its next poll.
        void trx.executionPromise.then(
          () => dispatcher.wake(),
          () => undefined,
        );
    },
  });

  const pruned = { lastAt: 0 };
  const housekeeping = () => keepHouse(deps, pruned);
  const timer = setInterval(
    () => void housekeeping().catch((error: unknown) => log.warn({ err: error }, 'webhook housekeeping failed')),
    HOUSEKEEPING_MS,
  );
  timer.unref();
  void housekeeping().catch((error: unknown) => log.warn({ err: error }, 'webhook housekeeping failed'));

  return {
    async stop() {
      clearInterval(timer);
      await consumer.stop();
      await dispatcher.stop();
      await sender.close();
    },
  };
}

/** The failing endpoints' gauges (the alert's), and, hourly, the pruning of what is no longer needed. */
async function keepHouse(deps: WebhooksDeps, pruned: { lastAt: number }): Promise<void> {
  const { failing, disabled } = await countFailingEndpoints(deps.db);
  deps.metrics.webhookEndpointsFailing.set({ state: 'failing' }, failing);
  deps.metrics.webhookEndpointsFailing.set({ state: 'disabled' }, disabled);
  const now = deps.clock.now();
  if (now.getTime() - pruned.lastAt >= 3_600_000) {
    pruned.lastAt = now.getTime();
    await pruneWebhooks(deps.db, {
      marksBefore: new Date(now.getTime() - LEAD_MARK_WINDOW_MS - 24 * 3_600_000),
      deliveriesBefore: new Date(now.getTime() - DELIVERY_RETENTION_MS),
      limit: 10_000,
    });
  }
}
