// The deliverer's attempts: delivery rows due by the service's clock are leased (as the sender's
// messages are) and posted, each on its own, outside any transaction; each outcome is recorded with
// its attempt in a short transaction. What keeps endpoints from delaying each other:
//   - at most WEBHOOK_ENDPOINT_CONCURRENCY attempts of one endpoint at once, of WEBHOOK_CONCURRENCY in
//     all: a hanging endpoint holds its own few slots for its timeout, never the others';
//   - a failed attempt is a due time (the retry schedule), never a wait in a loop;
//   - attempts are not awaited by the loop: it leases more as soon as a slot frees.
// A delivery whose process dies mid-attempt is attempted again when its lease ends (at least once;
// receivers deduplicate on webhook-id).
import type { Db } from '../../db/knex.js';
import { settleAttempt } from '../../domain/webhooks.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { backoffDelay, sleep } from '../../platform/retry.js';
import { leaseDeliveries, type LeasedDelivery } from '../../sql/webhookDeliveries/leaseDeliveries.js';
import { lockEndpointHealth } from '../../sql/webhookEndpoints/lockEndpointHealth.js';
import { selectDueDeliveries } from '../../sql/webhookDeliveries/selectDueDeliveries.js';
import { setEndpointHealth } from '../../sql/webhookEndpoints/setEndpointHealth.js';
import { settleDelivery } from '../../sql/webhookDeliveries/settleDelivery.js';
import type { WebhookAnswer, WebhookSender } from '../../webhooks/sendWebhook.js';

export interface DispatchSettings {
  retrySchedule: readonly number[];
  disableAfterMs: number;
  pollMs: number;
  leaseMs: number;
  concurrency: number;
  endpointConcurrency: number;
}

export interface Dispatcher {
  /** Something may be due now (new deliveries committed): look at once rather than at the next poll. */
  wake(): void;
  /** Stops leasing; waits for the attempts under way (each ends within its timeout). */
  stop(): Promise<void>;
}

/** Tries of recording an outcome before it is left to the lease (the attempt is then made again). */
const SETTLE_TRIES = 5;

export interface DispatchDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'webhookAttempts' | 'webhookEndpointsDisabled'>;
  sender: WebhookSender;
  settings: DispatchSettings;
}

/** The attempts under way: how many, how many per endpoint, and their promises (awaited on stop). */
interface UnderWay {
  count: number;
  perEndpoint: Map<string, number>;
  attempts: Set<Promise<void>>;
}

export function startDispatcher(deps: DispatchDeps): Dispatcher {
  const { settings } = deps;
  const log = deps.log.child({ component: 'webhooks' });
  let running = true;
  const isRunning = () => running;
  const underWay: UnderWay = { count: 0, perEndpoint: new Map(), attempts: new Set() };
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  const wake = () => {
    pendingWake = true;
    wakeUp?.();
  };

  /** Leases what is due within the free slots; true when more may be waiting. */
  async function pass(): Promise<boolean> {
    const free = settings.concurrency - underWay.count;
    if (free <= 0) return false;
    const { leased, more } = await leaseDue(deps, free, underWay.perEndpoint);
    for (const delivery of leased) beginAttempt(deps, log, underWay, delivery, isRunning, wake);
    return more;
  }

  const loop = (async () => {
    let failures = 0;
    while (running) {
      let more = false;
      try {
        pendingWake = false;
        more = await pass();
        failures = 0;
      } catch (error) {
        failures++;
        log.error({ err: error }, 'webhook dispatch pass failed; trying again');
      }
      if (!running) break;
      if (more) continue;
      if (pendingWake && failures === 0) continue;
      await sleepUnlessWoken(
        failures ? backoffDelay(failures, { baseMs: 500, maxMs: 10_000 }) : settings.pollMs,
        (w) => (wakeUp = w),
      );
    }
  })();

  return {
    wake,
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      await Promise.allSettled([...underWay.attempts]);
    },
  };
}

/** Leases what is due within `free` slots and each endpoint's limit; `more` when more may be waiting. */
async function leaseDue(
  deps: DispatchDeps,
  free: number,
  perEndpoint: ReadonlyMap<string, number>,
): Promise<{ leased: LeasedDelivery[]; more: boolean }> {
  const { db, clock, settings } = deps;
  // A few more than the free slots: some may belong to endpoints at their limit here.
  const due = await selectDueDeliveries(db, {
    now: clock.now(),
    perEndpoint: settings.endpointConcurrency,
    limit: free + settings.endpointConcurrency * 4,
  });
  const chosen = chooseDue(due, free, perEndpoint, settings.endpointConcurrency);
  const leased = await leaseDeliveries(db, chosen, settings.leaseMs, clock.now());
  return { leased, more: leased.length > 0 && chosen.length >= free };
}

/** Starts an attempt, not awaited: its slot is freed and the loop woken (`freed`) when it ends. */
function beginAttempt(
  deps: DispatchDeps,
  log: Logger,
  underWay: UnderWay,
  delivery: LeasedDelivery,
  running: () => boolean,
  freed: () => void,
) {
  underWay.count++;
  countIn(underWay.perEndpoint, delivery.endpointId, 1);
  const p = attemptDelivery(deps, log, delivery, running)
    .catch((error: unknown) => logUnrecorded(log, delivery, error))
    .finally(() => {
      underWay.count--;
      countIn(underWay.perEndpoint, delivery.endpointId, -1);
      underWay.attempts.delete(p);
      freed();
    });
  underWay.attempts.add(p);
}

/** Sends one delivery, then records the answer, retrying the record a few times (never the send). */
async function attemptDelivery(deps: DispatchDeps, log: Logger, delivery: LeasedDelivery, running: () => boolean) {
  const { clock } = deps;
  const attemptedAt = clock.now();
  const answer = await deps.sender.send({
    url: delivery.url,
    id: delivery.eventId,
    body: delivery.payload,
    secrets: delivery.secrets,
  });
  for (let tries = 1; ; tries++) {
    try {
      await recordAttempt(deps, log, delivery, attemptedAt, answer);
      return;
    } catch (error) {
      if (tries >= SETTLE_TRIES || !running()) throw error;
      await sleep(backoffDelay(tries, { baseMs: 200, maxMs: 5000 }));
    }
  }
}

/** Records an attempt's answer: the delivery settled, the endpoint's health, and what it says in logs and metrics. */
async function recordAttempt(
  deps: DispatchDeps,
  log: Logger,
  delivery: LeasedDelivery,
  attemptedAt: Date,
  answer: WebhookAnswer,
) {
  const outcome = await settleAttemptOf(deps, delivery, attemptedAt, answer);
  if (!outcome) return;
  const fields = {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    accountId: delivery.accountId,
    eventId: delivery.eventId,
    type: delivery.eventType,
    statusCode: answer.statusCode,
    ms: answer.durationMs,
  };
  deps.metrics.webhookAttempts.inc({
    outcome: outcome.status === 'pending' ? 'retry-scheduled' : outcome.status,
  });
  if (outcome.status === 'failed')
    log.warn({ ...fields, error: answer.error }, 'webhook delivery failed: its retry schedule is used up');
  else if (outcome.status === 'pending')
    log.info({ ...fields, error: answer.error }, 'webhook attempt failed; retry scheduled');
  else log.debug(fields, 'webhook delivered');
  if (outcome.disable) {
    deps.metrics.webhookEndpointsDisabled.inc();
    log.error(
      { endpointId: delivery.endpointId, accountId: delivery.accountId, reason: outcome.disable.reason },
      'webhook endpoint disabled: it failed for the whole window',
    );
  }
}

/** In one transaction: the delivery settled and its endpoint's health, or undefined when the endpoint is gone. */
async function settleAttemptOf(deps: DispatchDeps, delivery: LeasedDelivery, attemptedAt: Date, answer: WebhookAnswer) {
  const { db, settings } = deps;
  return db.transaction(async (trx) => {
    const health = await lockEndpointHealth(trx, delivery.endpointId);
    if (!health) return undefined; // deleted meanwhile, with its deliveries
    const s = settleAttempt({
      succeeded: answer.ok,
      scheduleStep: delivery.scheduleStep,
      schedule: settings.retrySchedule,
      now: attemptedAt,
      failingSince: health.failingSince,
      disableAfterMs: settings.disableAfterMs,
      failure: answer.error ?? undefined,
    });
    const disable = health.enabled ? s.endpoint.disable : null;
    await settleDelivery(trx, {
      id: delivery.id,
      attemptedAt,
      statusCode: answer.statusCode,
      error: answer.error,
      durationMs: answer.durationMs,
      ...s.delivery,
    });
    await setEndpointHealth(trx, delivery.endpointId, {
      attemptedAt,
      statusCode: answer.statusCode,
      error: answer.error,
      failingSince: s.endpoint.failingSince,
      disable,
    });
    return { status: s.delivery.status, disable };
  });
}

/** The due deliveries to lease now: within the free slots, and within each endpoint's own limit. */
function chooseDue(
  due: Array<{ id: string; endpointId: string }>,
  free: number,
  perEndpoint: ReadonlyMap<string, number>,
  endpointConcurrency: number,
): string[] {
  const chosen: string[] = [];
  const taken = new Map<string, number>();
  for (const d of due) {
    if (chosen.length >= free) break;
    const n = (perEndpoint.get(d.endpointId) ?? 0) + (taken.get(d.endpointId) ?? 0);
    if (n >= endpointConcurrency) continue;
    taken.set(d.endpointId, (taken.get(d.endpointId) ?? 0) + 1);
    chosen.push(d.id);
  }
  return chosen;
}

/** Sleeps for `ms`, or until the function handed to `setWake` is called. */
function sleepUnlessWoken(ms: number, setWake: (wake: (() => void) | undefined) => void) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      setWake(undefined);
      resolve();
    }
    setWake(done);
  });
}

/** Adds `by` to a key's count, and forgets the key at zero. */
function countIn(counts: Map<string, number>, key: string, by: number) {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

function logUnrecorded(log: Logger, delivery: LeasedDelivery, error: unknown) {
  log.error(
    { err: error, deliveryId: delivery.id, endpointId: delivery.endpointId },
    'webhook attempt not recorded; it will be made again when its lease ends',
  );
}
