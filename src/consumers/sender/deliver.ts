// One delivery attempt of one message, safe to run from any sender instance at any time:
//   1. claim: a short transaction takes a lease on a pending, due message (and checks the account's
//      send rate); nothing else can attempt it while the lease holds (src/sql/claimMessage.ts);
//   2. call the gateway, outside any transaction, with the message id as Idempotency-Key;
//   3. record the outcome in one transaction with its event (MessageSent / MessageFailed).
// A crash between 2 and 3 leaves the message pending with its lease: once the lease ends it is
// attempted again with the same Idempotency-Key, so the gateway sends it once.
import type { Db, Trx } from '../../db/knex.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { timeOfUuidV7 } from '../../events/envelope.js';
import { backoffDelay } from '../../platform/retry.js';
import { claimMessage } from '../../sql/claimMessage.js';
import type { MessageRow } from '../../sql/rows/messageRow.js';
import { failMessage, markMessageSent, scheduleMessageRetry } from '../../sql/settleMessage.js';
import { postToGateway, type GatewayConfig, type GatewayOutcome } from './gateway.js';

export interface SendingSettings {
  maxAttempts: number;
  ratePerMinute: number;
  retryBaseMs: number;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
}

export interface DeliveryDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'messagesDelivered' | 'hopSeconds'>;
  gateway: GatewayConfig;
  sending: SendingSettings;
}

/** What settles a message follows from the SendMessage that commanded it, in the same chain. */
const causeOf = (m: MessageRow) =>
  m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined;

export type DeliveryResult = 'sent' | 'failed' | 'retry-scheduled' | 'rate-limited' | 'not-due';

export async function attemptDelivery(deps: DeliveryDeps, messageId: string, options: { random?: () => number; receivedAt?: number } = {}): Promise<DeliveryResult> {
  const log = deps.log.child({ component: 'sender', messageId });
  const claim = await claimMessage(deps.db, messageId, { leaseMs: deps.sending.leaseMs, ratePerMinute: deps.sending.ratePerMinute });
  if (claim.kind !== 'claimed') {
    if (claim.kind === 'rate-limited') log.info({ ratePerMinute: deps.sending.ratePerMinute }, 'account over its send rate; message deferred');
    return claim.kind;
  }
  const m = claim.message;
  observeHops(deps, m, options.receivedAt);
  const outcome = await postToGateway(deps.gateway, { messageId, channel: m.channel, to: m.recipient, content: m.content }, () => deps.clock.now());
  const result = await deps.db.transaction((trx) => recordOutcome(deps, trx, m, outcome, options.random ?? Math.random));
  deps.metrics.messagesDelivered.inc({ outcome: result });
  const level = result === 'sent' ? 'info' : 'warn';
  log[level]({ accountId: m.account_id, attempt: m.attempts, outcome: outcome.kind, ...(outcome.kind !== 'sent' ? { reason: outcome.reason } : {}) }, `message ${result}`);
  return result;
}

/** sender_consume_to_gateway, and for a first attempt request_to_gateway (from the time its chain's root id carries). */
function observeHops(deps: Pick<DeliveryDeps, 'metrics'>, m: MessageRow, receivedAt: number | undefined) {
  const now = Date.now();
  if (receivedAt !== undefined) deps.metrics.hopSeconds.observe({ hop: 'sender_consume_to_gateway' }, (now - receivedAt) / 1000);
  const root = m.attempts === 1 && m.correlation_id ? timeOfUuidV7(m.correlation_id) : null;
  if (root !== null) deps.metrics.hopSeconds.observe({ hop: 'request_to_gateway' }, Math.max(0, now - root) / 1000);
}

async function recordOutcome(deps: DeliveryDeps, trx: Trx, m: MessageRow, outcome: GatewayOutcome, random: () => number): Promise<DeliveryResult> {
  const now = deps.clock.now();
  if (outcome.kind === 'sent') {
    // Already settled by another attempt (a lease that expired while we waited): nothing to add.
    if (!(await markMessageSent(trx, m.id, { externalId: outcome.externalId, sentAt: outcome.sentAt, now }))) return 'sent';
    await deps.outbox.enqueue(trx, {
      eventType: 'MessageSent',
      key: m.account_id,
      cause: causeOf(m),
      value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, externalId: outcome.externalId, attempts: m.attempts, sentAt: outcome.sentAt.getTime() },
    });
    return 'sent';
  }
  if (outcome.kind === 'retry' && m.attempts < deps.sending.maxAttempts) {
    const backoff = backoffDelay(m.attempts, { baseMs: deps.sending.retryBaseMs, maxMs: 6 * 3600_000, random });
    const delay = Math.max(backoff, outcome.retryAfterMs ?? 0);
    await scheduleMessageRetry(trx, m.id, { at: new Date(now.getTime() + delay), reason: outcome.reason, now });
    return 'retry-scheduled';
  }
  // Given up: a permanent refusal, or retries exhausted.
  const permanent = outcome.kind === 'permanent';
  const reason = outcome.reason;
  if (!(await failMessage(trx, { id: m.id, leadId: m.lead_id }, { reason, now }))) return 'failed';
  await deps.outbox.enqueue(trx, {
    eventType: 'MessageFailed',
    key: m.account_id,
    cause: causeOf(m),
    value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, reason, permanent, attempts: m.attempts, failedAt: now.getTime() },
  });
  return 'failed';
}
