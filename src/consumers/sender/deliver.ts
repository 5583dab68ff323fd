// Delivery of a batch of messages, safe to run from any sender instance at any time:
//   1. claim: one short transaction leases the messages that are due, within their accounts' send
//      rate (claim.ts), and marks each attempt unconfirmed; nothing else attempts them while the
//      lease holds;
//   2. call the channel's provider for each (MESSAGE_PROVIDERS), holding no transaction, connection or
//      lock meanwhile: a provider that answers in 30 s slows nothing but its own messages. Just before
//      each call, its phone's opt-out is read (optOutGuard.ts): an opted-out phone is given up
//      ('opted_out', permanent) without a call;
//   3. record the outcomes in one transaction with their events (MessageSent / MessageFailed), and
//      the opt-outs a provider reported (Twilio's 21610: the phone, for every account).
// A call must end within its message's lease (step 2 renews a lease that would not last the call).
// A crash between 2 and 3 leaves the messages pending, leased and unconfirmed: once a lease ends the
// message is attempted again, with the same Idempotency-Key for the generic gateway, and after a
// lookup for the providers that have no such key (src/providers/twilio/twilioClient.ts).
import pLimit from 'p-limit';
import type { Db, Trx } from '../../db/knex.js';
import type { OutgoingEvent } from '../../events/envelope.js';
import { timeOfUuidV7 } from '../../events/envelope.js';
import { messageFailedEvent, messageSentEvent } from '../../events/messageEvents.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { backoffDelay } from '../../platform/retry.js';
import type { ChannelProviders } from '../../providers/channelProviders.js';
import type { OutboundMessage, ProviderName, SendOutcome } from '../../providers/provider.js';
import { optOutPhone } from '../../sql/optOutPhone.js';
import { renewMessageLease } from '../../sql/renewMessageLease.js';
import type { MessageRow } from '../../sql/rows/messageRow.js';
import { failMessages, markMessagesSent, scheduleMessageRetries } from '../../sql/settleMessages.js';
import { claimForDelivery, type Claim } from './claim.js';
import { createOptOutGuard } from './optOutGuard.js';

export interface SendingSettings {
  maxAttempts: number;
  ratePerMinute: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseMs: number;
  /** The longest one request to a provider may take (MESSAGE_GATEWAY_TIMEOUT_MS). */
  callTimeoutMs: number;
  pollMs: number;
  concurrency: number;
}

export interface DeliveryDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'messagesDelivered' | 'hopSeconds' | 'providerRequests' | 'optOuts' | 'optOutCancelled'>;
  providers: ChannelProviders;
  sending: SendingSettings;
}

export interface Attempt {
  message: MessageRow;
  /** The provider that was called, or would have been (a message given up before its call). */
  provider: ProviderName;
  outcome: SendOutcome;
  /** False when the message was given up without a call (its phone opted out). */
  called: boolean;
}

export type DeliveryResult = 'sent' | 'failed' | 'retry-scheduled';

const reachesPhone = (m: MessageRow) => m.channel === 'sms' || m.channel === 'whatsapp';

/** The message as the provider gets it: from the account's own number for the channel, when it has one. */
const outbound = (m: MessageRow, senders: Claim['senders']): OutboundMessage => {
  const own = senders.get(m.account_id);
  const from = m.channel === 'sms' ? (own?.sms ?? null) : m.channel === 'whatsapp' ? (own?.whatsapp ?? null) : null;
  return {
    messageId: m.id,
    channel: m.channel as OutboundMessage['channel'],
    to: m.recipient,
    from,
    content: m.content,
  };
};

/** Steps 1 and 2: claims the due messages among `messageIds` and calls their providers. */
export function createDelivery(deps: DeliveryDeps) {
  // Every provider call of this process goes through one limit (SEND_CONCURRENCY).
  const limit = pLimit(deps.sending.concurrency);
  const log = deps.log.child({ component: 'sender' });
  const guard = createOptOutGuard(deps.db);

  // The longest an attempt may take: one request within the providers' timeout, two for a message in
  // doubt (Twilio and Brevo look it up before sending it again).
  const attemptMs = (m: MessageRow) => (m.previous_unconfirmed_since ? 2 : 1) * deps.sending.callTimeoutMs;
  /**
   * Whether the message may be called now. A call must end within its lease: once the lease ends,
   * another attempt (the retry poller, another instance) may take the message and call it too, which
   * is a second SMS where the provider has no Idempotency-Key (Twilio, Brevo). A message that waited
   * for a call slot (every slot taken by calls that hang) until its lease would end before its attempt
   * could has its lease renewed first, if no other attempt took it meanwhile; if one did, it is that
   * attempt's.
   */
  const stillOurs = async (message: MessageRow, leaseEnd: number): Promise<boolean> => {
    if (Date.now() + attemptMs(message) <= leaseEnd) return true;
    return renewMessageLease(
      deps.db,
      message.id,
      message.attempts,
      Math.max(deps.sending.leaseMs, attemptMs(message)),
    ).catch(() => false);
  };

  const attemptOne = async (
    message: MessageRow,
    senders: Claim['senders'],
    receivedAt: number | undefined,
    leaseEnd: number,
  ): Promise<Attempt | null> => {
    // Not ours any more (or the database did not say): no call, nothing to record; the message is left
    // to whichever attempt holds it, or to the retry poller once its lease ends.
    if (!(await stillOurs(message, leaseEnd))) return null;
    const provider = deps.providers.of(message.channel as OutboundMessage['channel']);
    if (reachesPhone(message)) {
      let optedOut: boolean;
      try {
        optedOut = await guard.isOptedOut(message.recipient);
      } catch (error) {
        // No call without the check: the message waits for the database.
        return {
          message,
          provider: provider.name,
          called: false,
          outcome: {
            kind: 'retry',
            reason: `opt-out check failed: ${(error as Error).message}`,
            retryAfterMs: null,
            uncertain: false,
          },
        };
      }
      if (optedOut)
        return { message, provider: provider.name, called: false, outcome: { kind: 'permanent', reason: 'opted_out' } };
    }
    observeHops(deps, message, receivedAt);
    const outcome = await provider.send(outbound(message, senders), {
      unconfirmedSince: message.previous_unconfirmed_since ?? null,
    });
    deps.metrics.providerRequests.inc({
      provider: provider.name,
      outcome: outcome.kind === 'sent' && outcome.lookedUp ? 'looked_up' : outcome.kind,
    });
    return { message, provider: provider.name, called: true, outcome };
  };

  const deliver = async (messageIds: string[], options: { receivedAt?: number } = {}): Promise<Attempt[]> => {
    // Taken before the claim's transaction: its leases end no sooner than this.
    const leaseEnd = Date.now() + deps.sending.leaseMs;
    const { claimed, deferred, senders } = await claimForDelivery(deps.db, messageIds, {
      leaseMs: deps.sending.leaseMs,
      ratePerMinute: deps.sending.ratePerMinute,
      now: deps.clock.now(),
    });
    if (deferred > 0)
      log.info(
        { deferred, ratePerMinute: deps.sending.ratePerMinute },
        'accounts over their send rate; messages deferred',
      );
    const attempts = (
      await Promise.all(claimed.map((m) => limit(() => attemptOne(m, senders, options.receivedAt, leaseEnd))))
    ).filter((a): a is Attempt => a !== null);
    if (attempts.length < claimed.length) {
      log.warn(
        { left: claimed.length - attempts.length, leaseMs: deps.sending.leaseMs },
        'messages not called: they waited for a call slot until their lease ran short, and it could not be renewed (another attempt took them, or the database did not answer)',
      );
    }
    return attempts;
  };
  return { deliver, close: () => deps.providers.close() };
}

/** sender_consume_to_gateway, and for a first attempt request_to_gateway (from the time its chain's root id carries). */
function observeHops(deps: Pick<DeliveryDeps, 'metrics'>, m: MessageRow, receivedAt: number | undefined) {
  const now = Date.now();
  if (receivedAt !== undefined)
    deps.metrics.hopSeconds.observe({ hop: 'sender_consume_to_gateway' }, (now - receivedAt) / 1000);
  const root = m.attempts === 1 && m.correlation_id ? timeOfUuidV7(m.correlation_id) : null;
  if (root !== null) deps.metrics.hopSeconds.observe({ hop: 'request_to_gateway' }, Math.max(0, now - root) / 1000);
}

/** What each attempt comes to: sent, a retry (408, 429, 5xx, timeouts, while attempts remain), or given up. */
export function decideOutcomes(
  attempts: Attempt[],
  sending: Pick<SendingSettings, 'maxAttempts'>,
): Map<string, DeliveryResult> {
  return new Map(
    attempts.map(
      ({ message: m, outcome }) =>
        [
          m.id,
          outcome.kind === 'sent'
            ? 'sent'
            : outcome.kind === 'retry' && m.attempts < sending.maxAttempts
              ? 'retry-scheduled'
              : 'failed',
        ] as const,
    ),
  );
}

/** Why a message is given up, as its last_error and the lead's reason detail. */
const failureOf = (outcome: Exclude<SendOutcome, { kind: 'sent' }>) =>
  outcome.kind === 'opted_out'
    ? { reason: 'opted_out', detail: outcome.detail }
    : outcome.kind === 'permanent'
      ? { reason: outcome.reason, detail: outcome.detail ?? null }
      : { reason: outcome.reason, detail: null };

/** Step 3: the outcomes of a batch and their events, in the caller's transaction. Returns the phones opted out by a provider. */
export async function recordOutcomes(
  deps: DeliveryDeps,
  trx: Trx,
  attempts: Attempt[],
  results: Map<string, DeliveryResult>,
  random: () => number = Math.random,
): Promise<{ optedOut: number; cancelled: number }> {
  const now = deps.clock.now();
  const sent: Array<{ id: string; externalId: string | null; sentAt: Date; provider: string; sender: string | null }> =
    [];
  const retries: Array<{ id: string; at: Date; reason: string; provider: string; uncertain: boolean }> = [];
  const failures: Array<{ id: string; reason: string; detail: string | null; provider: string }> = [];
  const optOutPhones = new Map<string, string>();
  for (const { message: m, outcome, provider } of attempts) {
    const result = results.get(m.id);
    if (outcome.kind === 'sent')
      sent.push({ id: m.id, externalId: outcome.externalId, sentAt: outcome.sentAt, provider, sender: outcome.from });
    else if (result === 'retry-scheduled' && outcome.kind === 'retry') {
      const delay = Math.max(
        backoffDelay(m.attempts, { baseMs: deps.sending.retryBaseMs, maxMs: deps.sending.retryMaxMs, random }),
        outcome.retryAfterMs ?? 0,
      );
      retries.push({
        id: m.id,
        at: new Date(now.getTime() + delay),
        reason: outcome.reason,
        provider,
        uncertain: outcome.uncertain,
      });
    } else {
      failures.push({ id: m.id, ...failureOf(outcome), provider });
      if (outcome.kind === 'opted_out') optOutPhones.set(m.recipient, outcome.detail);
    }
  }
  // A message already settled by another attempt (a lease that expired while we waited) gets no event.
  const markedSent = await markMessagesSent(trx, sent, now);
  await scheduleMessageRetries(trx, retries, now);
  const failed = await failMessages(trx, failures, now);
  const events: OutgoingEvent[] = [];
  for (const { message: m, outcome } of attempts) {
    if (outcome.kind === 'sent' && markedSent.has(m.id))
      events.push(messageSentEvent(m, outcome.externalId, outcome.sentAt));
    else if (outcome.kind !== 'sent' && failed.has(m.id))
      events.push(messageFailedEvent(m, failureOf(outcome).reason, outcome.kind !== 'retry', now));
  }
  // The provider refused the phone because its owner opted out there: the phone is opted out here too,
  // for every account, with what an opt-out does to the phone's other pending messages.
  let created = 0;
  let cancelled = 0;
  for (const [phone, detail] of [...optOutPhones].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = await optOutPhone(trx, { phone, source: 'provider', reason: detail }, now);
    if (r.created) created++;
    cancelled += r.cancelled.length;
    for (const c of r.cancelled) events.push(messageFailedEvent(c, 'opted_out', true, now));
  }
  await deps.outbox.enqueue(trx, events);
  return { optedOut: created, cancelled };
}

/**
 * Logs and counts what a batch came to (after its transaction committed): one line per batch at info,
 * a line per message at debug, and every retry or failure at warn with its reason.
 */
export function reportOutcomes(
  deps: Pick<DeliveryDeps, 'log' | 'metrics'>,
  attempts: Attempt[],
  results: Map<string, DeliveryResult>,
  optOuts: { optedOut: number; cancelled: number } = { optedOut: 0, cancelled: 0 },
) {
  if (attempts.length === 0) return;
  const log = deps.log.child({ component: 'sender' });
  const counts: Record<DeliveryResult, number> = { sent: 0, 'retry-scheduled': 0, failed: 0 };
  for (const { message: m, outcome, provider } of attempts) {
    const result = results.get(m.id)!;
    counts[result]++;
    deps.metrics.messagesDelivered.inc({ outcome: result });
    const line = {
      messageId: m.id,
      accountId: m.account_id,
      provider,
      attempt: m.attempts,
      outcome: outcome.kind,
      ...(outcome.kind !== 'sent' ? failureOf(outcome) : outcome.lookedUp ? { lookedUp: true } : {}),
    };
    if (result === 'sent')
      log.debug(
        line,
        outcome.kind === 'sent' && outcome.lookedUp ? 'message found sent by a previous attempt' : 'message sent',
      );
    else log.warn(line, `message ${result}`);
  }
  if (optOuts.optedOut > 0) {
    deps.metrics.optOuts.inc({ source: 'provider' }, optOuts.optedOut);
    log.info(
      { optedOut: optOuts.optedOut, cancelled: optOuts.cancelled },
      'phones opted out at the provider: opted out for every account',
    );
  }
  deps.metrics.optOutCancelled.inc(optOuts.cancelled);
  log.info(
    { sent: counts.sent, retries: counts['retry-scheduled'], failed: counts.failed },
    `${attempts.length} messages attempted`,
  );
}
