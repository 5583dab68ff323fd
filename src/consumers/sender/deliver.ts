// Delivery of a batch of messages, safe to run from any sender instance at any time:
//   1. claim: one short transaction leases the messages that are due, within their accounts' send
//      rate (claim.ts); nothing else attempts them while the lease holds;
//   2. call the gateway for each, with the message id as Idempotency-Key, inside a transaction that
//      holds the shared locks of the batch's phones (src/sql/phoneLocks.ts) and read their opt-outs
//      once they were held: a message to an opted-out phone is given up ('opted_out', permanent), and
//      no opt-out commits while the calls are under way. Two statements per batch, none per message;
//   3. record the outcomes in one transaction with their events (MessageSent / MessageFailed).
// A crash between 2 and 3 leaves the messages pending with their leases: once a lease ends the message
// is attempted again with the same Idempotency-Key, so the gateway sends it once.
import pLimit from 'p-limit';
import type { Db, Trx } from '../../db/knex.js';
import { timeOfUuidV7, type OutgoingEvent } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { backoffDelay } from '../../platform/retry.js';
import type { MessageRow } from '../../sql/rows/messageRow.js';
import { failMessages, markMessagesSent, scheduleMessageRetries } from '../../sql/settleMessages.js';
import { findOptOuts } from '../../sql/findOptOuts.js';
import { lockPhonesShared } from '../../sql/phoneLocks.js';
import { claimForDelivery } from './claim.js';
import { createGatewayClient, type GatewayConfig, type GatewayOutcome } from './gateway.js';

export interface SendingSettings {
  maxAttempts: number;
  ratePerMinute: number;
  retryBaseMs: number;
  retryMaxMs: number;
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

export interface Attempt {
  message: MessageRow;
  outcome: GatewayOutcome;
}

export type DeliveryResult = 'sent' | 'failed' | 'retry-scheduled';

/** Steps 1 and 2: claims the due messages among `messageIds` and calls the gateway for each. */
export function createDelivery(deps: DeliveryDeps) {
  // Every gateway call of this process goes through one limit (SEND_CONCURRENCY).
  const limit = pLimit(deps.sending.concurrency);
  const log = deps.log.child({ component: 'sender' });
  const gateway = createGatewayClient(deps.gateway, () => deps.clock.now());

  const deliver = async (messageIds: string[], options: { receivedAt?: number } = {}): Promise<Attempt[]> => {
    const { claimed, deferred } = await claimForDelivery(deps.db, messageIds, { leaseMs: deps.sending.leaseMs, ratePerMinute: deps.sending.ratePerMinute, now: deps.clock.now() });
    if (deferred > 0) log.info({ deferred, ratePerMinute: deps.sending.ratePerMinute }, 'accounts over their send rate; messages deferred');
    const send = (message: MessageRow) =>
      limit(async (): Promise<Attempt> => {
        observeHops(deps, message, options.receivedAt);
        const outcome = await gateway.send({ messageId: message.id, channel: message.channel, to: message.recipient, content: message.content });
        return { message, outcome };
      });
    const phones = claimed.filter(reachesPhone).map((m) => m.recipient);
    if (phones.length === 0) return Promise.all(claimed.map(send));
    return deps.db.transaction(async (trx) => {
      await lockPhonesShared(trx, phones);
      const optedOut = await findOptOuts(trx, phones);
      return Promise.all(claimed.map((m) => (reachesPhone(m) && optedOut.has(m.recipient) ? Promise.resolve(optedOutAttempt(m)) : send(m))));
    });
  };
  return { deliver, close: () => gateway.close() };
}

const reachesPhone = (m: MessageRow) => m.channel === 'sms' || m.channel === 'whatsapp';

/** A message whose phone opted out after it was decided: given up, never sent. */
const optedOutAttempt = (message: MessageRow): Attempt => ({ message, outcome: { kind: 'permanent', reason: 'opted_out' } });

/** sender_consume_to_gateway, and for a first attempt request_to_gateway (from the time its chain's root id carries). */
function observeHops(deps: Pick<DeliveryDeps, 'metrics'>, m: MessageRow, receivedAt: number | undefined) {
  const now = Date.now();
  if (receivedAt !== undefined) deps.metrics.hopSeconds.observe({ hop: 'sender_consume_to_gateway' }, (now - receivedAt) / 1000);
  const root = m.attempts === 1 && m.correlation_id ? timeOfUuidV7(m.correlation_id) : null;
  if (root !== null) deps.metrics.hopSeconds.observe({ hop: 'request_to_gateway' }, Math.max(0, now - root) / 1000);
}

/** What settles a message follows from the SendMessage that commanded it, in the same chain. */
const causeOf = (m: MessageRow) => (m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined);

/** What each attempt comes to: sent, a retry (408, 429, 5xx, timeouts, while attempts remain), or given up. */
export function decideOutcomes(attempts: Attempt[], sending: Pick<SendingSettings, 'maxAttempts'>): Map<string, DeliveryResult> {
  return new Map(
    attempts.map(({ message: m, outcome }) => [m.id, outcome.kind === 'sent' ? 'sent' : outcome.kind === 'retry' && m.attempts < sending.maxAttempts ? 'retry-scheduled' : 'failed'] as const),
  );
}

/** Step 3: the outcomes of a batch and their events, in the caller's transaction. */
export async function recordOutcomes(deps: DeliveryDeps, trx: Trx, attempts: Attempt[], results: Map<string, DeliveryResult>, random: () => number = Math.random): Promise<void> {
  const now = deps.clock.now();
  const sent: Array<{ id: string; externalId: string | null; sentAt: Date }> = [];
  const retries: Array<{ id: string; at: Date; reason: string }> = [];
  const failures: Array<{ id: string; reason: string }> = [];
  for (const { message: m, outcome } of attempts) {
    const result = results.get(m.id);
    if (outcome.kind === 'sent') sent.push({ id: m.id, externalId: outcome.externalId, sentAt: outcome.sentAt });
    else if (result === 'retry-scheduled') {
      const delay = Math.max(backoffDelay(m.attempts, { baseMs: deps.sending.retryBaseMs, maxMs: deps.sending.retryMaxMs, random }), outcome.kind === 'retry' ? (outcome.retryAfterMs ?? 0) : 0);
      retries.push({ id: m.id, at: new Date(now.getTime() + delay), reason: outcome.reason });
    } else failures.push({ id: m.id, reason: outcome.reason });
  }
  // A message already settled by another attempt (a lease that expired while we waited) gets no event.
  const markedSent = await markMessagesSent(trx, sent, now);
  await scheduleMessageRetries(trx, retries, now);
  const failed = await failMessages(trx, failures, now);
  const events: OutgoingEvent[] = [];
  for (const { message: m, outcome } of attempts) {
    if (outcome.kind === 'sent' && markedSent.has(m.id)) {
      events.push({
        eventType: 'MessageSent',
        key: m.account_id,
        cause: causeOf(m),
        value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, externalId: outcome.externalId, attempts: m.attempts, sentAt: outcome.sentAt.getTime() },
      });
    } else if (outcome.kind !== 'sent' && failed.has(m.id)) {
      events.push({
        eventType: 'MessageFailed',
        key: m.account_id,
        cause: causeOf(m),
        value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, reason: outcome.reason, permanent: outcome.kind === 'permanent', attempts: m.attempts, failedAt: now.getTime() },
      });
    }
  }
  await deps.outbox.enqueue(trx, events);
}

/**
 * Logs and counts what a batch came to (after its transaction committed): one line per batch at info,
 * a line per message at debug, and every retry or failure at warn with its reason.
 */
export function reportOutcomes(deps: Pick<DeliveryDeps, 'log' | 'metrics'>, attempts: Attempt[], results: Map<string, DeliveryResult>) {
  if (attempts.length === 0) return;
  const log = deps.log.child({ component: 'sender' });
  const counts: Record<DeliveryResult, number> = { sent: 0, 'retry-scheduled': 0, failed: 0 };
  for (const { message: m, outcome } of attempts) {
    const result = results.get(m.id)!;
    counts[result]++;
    deps.metrics.messagesDelivered.inc({ outcome: result });
    const line = { messageId: m.id, accountId: m.account_id, attempt: m.attempts, outcome: outcome.kind, ...(outcome.kind !== 'sent' ? { reason: outcome.reason } : {}) };
    if (result === 'sent') log.debug(line, 'message sent');
    else log.warn(line, `message ${result}`);
  }
  log.info({ sent: counts.sent, retries: counts['retry-scheduled'], failed: counts.failed }, `${attempts.length} messages attempted`);
}
