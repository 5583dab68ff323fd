// Delivery of a batch of messages, safe to run from any sender instance at any time:
//   1. claim: one short transaction leases the messages that are due, inside their seller's contact
//      window at this moment, not held (or probing a hold), within their accounts' send rate
//      (claim.ts), and marks each attempt unconfirmed; nothing else attempts them while the lease holds;
//   2. call the channel's provider for each (MESSAGE_PROVIDERS), holding no transaction, connection or
//      lock meanwhile: a provider that answers in 30 s slows nothing but its own messages. Just before
//      each call, its phone's opt-out is read (optOutGuard.ts): an opted-out phone is given up
//      ('opted_out', permanent) without a call;
//   3. record the outcomes in one transaction with their events (MessageSent / MessageFailed), the
//      opt-outs a provider reported (Twilio's 21610: the phone, for every account), the SMS fallbacks
//      of WhatsApp messages their sellers cannot get (SendMessage), and the holds: an answer that is the
//      account's or the deployment's problem (src/providers/failureCodes.ts) holds its sending and
//      keeps the message pending; a probe that goes through lifts its hold.
// A call must end within its message's lease (step 2 renews a lease that would not last the call).
// A crash between 2 and 3 leaves the messages pending, leased and unconfirmed: once a lease ends the
// message is attempted again, with the same Idempotency-Key for the generic gateway, and after a
// lookup for the providers that have no such key (src/providers/twilio/twilioClient.ts).
import pLimit from 'p-limit';
import type { Db, Trx } from '../../db/knex.js';
import type { OutgoingEvent } from '../../events/envelope.js';
import { newEventId, timeOfUuidV7 } from '../../events/envelope.js';
import { givenUpEvents, messageSentEvent } from '../../events/messageEvents.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { backoffDelay } from '../../platform/retry.js';
import type { ChannelProviders } from '../../providers/channelProviders.js';
import { newId } from '../../platform/ids.js';
import type { OutboundMessage, ProviderName, SendOutcome } from '../../providers/provider.js';
import { giveUpMessages, type GiveUp } from '../../sql/messages/giveUpMessages.js';
import { holdMessages } from '../../sql/messages/holdMessages.js';
import { holdKeyText, holdSending, type HoldKey } from '../../sql/holds/holdSending.js';
import { liftHolds } from '../../sql/holds/liftHolds.js';
import { renewMessageLease } from '../../sql/messages/renewMessageLease.js';
import type { MessageRow } from '../../sql/messages/messageRow.js';
import { markMessagesSent, scheduleMessageRetries, type SentMessage } from '../../sql/messages/settleMessages.js';
import { claimForDelivery, type CallFacts, type Claim } from './claim.js';
import { createOptOutGuard, type OptOutGuard } from './optOutGuard.js';

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
  /** Where a recipient without a known French region is local (TICK_TIME_ZONE). */
  timeZone: string;
  /** How long a held account or provider waits between probes. */
  probeEveryMs: number;
  /** A sent message without its final status is read back at its provider after this long (RECEIPT_RECONCILE_AFTER_MS). */
  reconcileAfterMs: number;
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
  /** What the claim found for its call (its window's end, WhatsApp's window, the hold it probes). */
  facts: CallFacts;
  /** It went from its account's own sender (a hold of that sender is the account's, not the provider's). */
  ownSender: boolean;
}

export type DeliveryResult = 'sent' | 'failed' | 'retry-scheduled' | 'held';

const reachesPhone = (m: MessageRow) => m.channel === 'sms' || m.channel === 'whatsapp';

/**
 * The message as the provider gets it: from the account's own sender for the channel, when it has
 * one; a WhatsApp message as its approved template, unless the seller wrote within WhatsApp's 24 hours
 * and the hunt gave free text.
 */
const outbound = (m: MessageRow, senders: Claim['senders'], facts: CallFacts): OutboundMessage => {
  const own = senders.get(m.account_id);
  const from = m.channel === 'sms' ? (own?.sms ?? null) : m.channel === 'whatsapp' ? (own?.whatsapp ?? null) : null;
  const freeText = m.content_is_text !== false && facts.inWhatsAppWindow;
  return {
    messageId: m.id,
    channel: m.channel as OutboundMessage['channel'],
    to: m.recipient,
    from,
    content: m.content,
    template: m.content_sid && !freeText ? { contentSid: m.content_sid, variables: m.content_variables ?? {} } : null,
    validUntil: facts.validUntil,
  };
};

/** The providers that can read a sent message back (its lost callback recovered). */
const RECONCILABLE: ReadonlySet<ProviderName> = new Set(['twilio', 'brevo']);

/** Steps 1 and 2: claims the due messages among `messageIds` and calls their providers. */
export function createDelivery(deps: DeliveryDeps) {
  // Every provider call of this process goes through one limit (SEND_CONCURRENCY).
  const limit = pLimit(deps.sending.concurrency);
  const log = deps.log.child({ component: 'sender' });
  const guard = createOptOutGuard(deps.db);

  const deliver = async (messageIds: string[], options: { receivedAt?: number } = {}): Promise<Attempt[]> => {
    // Taken before the claim's transaction: its leases end no sooner than this.
    const leaseEnd = Date.now() + deps.sending.leaseMs;
    const { claimed, deferred, outsideHours, held, senders, facts } = await claimForDelivery(deps.db, messageIds, {
      leaseMs: deps.sending.leaseMs,
      ratePerMinute: deps.sending.ratePerMinute,
      now: deps.clock.now(),
      timeZone: deps.sending.timeZone,
      providerOf: (channel) => deps.providers.of(channel as OutboundMessage['channel']).name,
      probeEveryMs: deps.sending.probeEveryMs,
    });
    logHeldBack(log, deps.sending.ratePerMinute, { deferred, outsideHours, held });
    const attempts = (
      await Promise.all(
        claimed.map((m) =>
          limit(() => attemptOne(deps, guard, m, senders, facts.get(m.id)!, options.receivedAt, leaseEnd)),
        ),
      )
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

/** Calls the provider of one claimed message, unless it is no longer ours or its recipient opted out. */
async function attemptOne(
  deps: DeliveryDeps,
  guard: OptOutGuard,
  message: MessageRow,
  senders: Claim['senders'],
  facts: CallFacts,
  receivedAt: number | undefined,
  leaseEnd: number,
): Promise<Attempt | null> {
  // Not ours any more (or the database did not say): no call, nothing to record; the message is left
  // to whichever attempt holds it, or to the retry poller once its lease ends.
  if (!(await stillOurs(deps, message, leaseEnd))) return null;
  const provider = deps.providers.of(message.channel as OutboundMessage['channel']);
  const request = outbound(message, senders, facts);
  const common = { message, provider: provider.name, facts, ownSender: request.from !== null };
  if (reachesPhone(message)) {
    const refusal = await optOutRefusal(guard, message);
    if (refusal) return { ...common, called: false, outcome: refusal };
  }
  observeHops(deps, message, receivedAt);
  const outcome = await provider.send(request, {
    unconfirmedSince: message.previous_unconfirmed_since ?? null,
  });
  deps.metrics.providerRequests.inc({
    provider: provider.name,
    outcome: outcome.kind === 'sent' && outcome.lookedUp ? 'looked_up' : outcome.kind,
  });
  return { ...common, called: true, outcome };
}

/** sender_consume_to_gateway, and for a first attempt request_to_gateway (from the time its chain's root id carries). */
function observeHops(deps: Pick<DeliveryDeps, 'metrics'>, m: MessageRow, receivedAt: number | undefined) {
  const now = Date.now();
  if (receivedAt !== undefined)
    deps.metrics.hopSeconds.observe({ hop: 'sender_consume_to_gateway' }, (now - receivedAt) / 1000);
  const root = m.attempts === 1 && m.correlation_id ? timeOfUuidV7(m.correlation_id) : null;
  if (root !== null) deps.metrics.hopSeconds.observe({ hop: 'request_to_gateway' }, Math.max(0, now - root) / 1000);
}

/** What each attempt comes to: sent, a retry (408, 429, 5xx, timeouts, while attempts remain), held, or given up. */
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
            : outcome.kind === 'held'
              ? 'held'
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
      : outcome.kind === 'held'
        ? { reason: `sending held: ${outcome.reason}`, detail: outcome.detail }
        : { reason: outcome.reason, detail: null };

/** The hold an attempt's answer puts in place: its account's when it sent from the account's own sender. */
const holdKeyOf = (a: Attempt, scope: 'provider' | 'sender'): HoldKey =>
  scope === 'sender' && a.ownSender
    ? { scope: 'account', target: a.message.account_id }
    : { scope: 'provider', target: a.provider };

export interface RecordedOutcomes {
  optedOut: number;
  cancelled: number;
  /** Holds put in place (or kept) by this batch's answers, and lifted by its probes. */
  holds: Array<HoldKey & { reason: string; created: boolean }>;
  lifted: HoldKey[];
  fallbacks: number;
}

/** Step 3: the outcomes of a batch and their events, in the caller's transaction. */
export async function recordOutcomes(
  deps: DeliveryDeps,
  trx: Trx,
  attempts: Attempt[],
  results: Map<string, DeliveryResult>,
  random: () => number = Math.random,
): Promise<RecordedOutcomes> {
  const now = deps.clock.now();
  const { sent, retries, giveUps, heldAttempts } = sortOutcomes(deps, attempts, results, now, random);
  // A message already settled by another attempt (a lease that expired while we waited) gets no event.
  const markedSent = await markMessagesSent(trx, sent, now);
  await scheduleMessageRetries(trx, retries, now);
  const givenUp = await giveUpMessages(trx, giveUps, now, ['pending']);

  const { holds, heldNow } = await holdSendingOf(deps, trx, heldAttempts, now);
  const toLift = probesToLift(attempts, heldNow);
  const { lifted } = await liftHolds(trx, toLift, now);

  const events: OutgoingEvent[] = [];
  for (const { message: m, outcome } of attempts)
    if (outcome.kind === 'sent' && markedSent.has(m.id))
      events.push(messageSentEvent(m, outcome.externalId, outcome.sentAt));
  const transient = new Set(attempts.filter((a) => a.outcome.kind === 'retry').map((a) => a.message.id));
  events.push(...givenUpEvents(givenUp, (id) => !transient.has(id), now));
  await deps.outbox.enqueue(trx, events);
  return {
    optedOut: givenUp.optedOut,
    cancelled: givenUp.cancelled.length,
    holds,
    lifted,
    fallbacks: givenUp.fallbacks.length,
  };
}

/**
 * Logs and counts what a batch came to (after its transaction committed): one line per batch at info,
 * a line per message at debug, and every retry or failure at warn with its reason.
 */
export function reportOutcomes(
  deps: Pick<DeliveryDeps, 'log' | 'metrics'>,
  attempts: Attempt[],
  results: Map<string, DeliveryResult>,
  recorded: RecordedOutcomes = NOTHING_RECORDED,
) {
  if (attempts.length === 0) return;
  const log = deps.log.child({ component: 'sender' });
  const optOuts = recorded;
  for (const h of recorded.holds)
    if (h.created)
      log.error(
        { scope: h.scope, target: h.target, reason: h.reason },
        'sending held: the account or the deployment needs fixing (GET /v1/accounts/:id shows it; POST …/sending/resume resumes at once)',
      );
  for (const h of recorded.lifted)
    log.info({ scope: h.scope, target: h.target }, 'sending resumed: a probe went through');
  if (recorded.fallbacks > 0)
    log.info({ fallbacks: recorded.fallbacks }, 'WhatsApp messages replaced by their SMS fallback');
  const counts: Record<DeliveryResult, number> = { sent: 0, 'retry-scheduled': 0, failed: 0, held: 0 };
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
    { sent: counts.sent, retries: counts['retry-scheduled'], failed: counts.failed, held: counts.held },
    `${attempts.length} messages attempted`,
  );
}

export const NOTHING_RECORDED: RecordedOutcomes = { optedOut: 0, cancelled: 0, holds: [], lifted: [], fallbacks: 0 };

/** Each attempt's outcome, sorted by what it does to its message: sent, retried, given up or held. */
function sortOutcomes(
  deps: DeliveryDeps,
  attempts: Attempt[],
  results: Map<string, DeliveryResult>,
  now: Date,
  random: () => number,
) {
  const sent: SentMessage[] = [];
  const retries: Array<{ id: string; at: Date; reason: string; provider: string; uncertain: boolean }> = [];
  const giveUps: GiveUp[] = [];
  const heldAttempts: Array<{ attempt: Attempt; key: HoldKey; outcome: Extract<SendOutcome, { kind: 'held' }> }> = [];
  for (const a of attempts) {
    const { message: m, outcome, provider } = a;
    const result = results.get(m.id);
    if (outcome.kind === 'sent')
      sent.push({
        id: m.id,
        externalId: outcome.externalId,
        sentAt: outcome.sentAt,
        provider,
        sender: outcome.from,
        receiptCheckAt: RECONCILABLE.has(provider) ? new Date(now.getTime() + deps.sending.reconcileAfterMs) : null,
      });
    else if (outcome.kind === 'held') heldAttempts.push({ attempt: a, key: holdKeyOf(a, outcome.scope), outcome });
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
      const fallback = outcome.kind === 'permanent' && outcome.smsFallback === true && m.channel === 'whatsapp';
      giveUps.push({
        id: m.id,
        ...failureOf(outcome),
        provider: a.called ? provider : null,
        code: outcome.kind === 'permanent' || outcome.kind === 'opted_out' ? (outcome.code ?? null) : null,
        optOut: outcome.kind === 'opted_out',
        fallback: fallback ? { id: newId(), commandEventId: newEventId() } : null,
      });
    }
  }
  return { sent, retries, giveUps, heldAttempts };
}

/** An answer that is the account's or the deployment's problem: its sending is held, its message waits. */
async function holdSendingOf(
  deps: DeliveryDeps,
  trx: Trx,
  heldAttempts: ReturnType<typeof sortOutcomes>['heldAttempts'],
  now: Date,
) {
  const holds: RecordedOutcomes['holds'] = [];
  const heldNow = new Map<string, Date>();
  for (const { key, outcome } of heldAttempts) {
    const text = holdKeyText(key);
    if (heldNow.has(text)) continue;
    const probeAt = new Date(now.getTime() + deps.sending.probeEveryMs);
    const h = await holdSending(
      trx,
      key,
      { reason: outcome.reason, code: outcome.code, detail: outcome.detail },
      probeAt,
      now,
    );
    heldNow.set(text, probeAt);
    holds.push({ ...key, reason: outcome.reason, created: h.created });
  }
  await holdMessages(
    trx,
    heldAttempts.map(({ attempt, key, outcome }) => ({
      id: attempt.message.id,
      heldBy: holdKeyText(key),
      until: heldNow.get(holdKeyText(key))!,
      lastError: `sending held: ${outcome.reason} (${outcome.detail})`,
      attempted: true,
    })),
    now,
  );
  return { holds, heldNow };
}

/**
 * A probe that went through (anything but another hold or a transient failure) shows the problem
 * fixed; carrier filtering shows only in the probe's delivery receipt (src/producers/providers/recordReceipt.ts).
 */
function probesToLift(attempts: Attempt[], heldNow: ReadonlyMap<string, Date>): HoldKey[] {
  const toLift = new Map<string, HoldKey>();
  for (const a of attempts) {
    const probe = a.facts.probe;
    if (!probe || a.outcome.kind === 'held' || a.outcome.kind === 'retry') continue;
    if (probe.reason === 'carrier_filtering') continue;
    if (!heldNow.has(holdKeyText(probe))) toLift.set(holdKeyText(probe), { scope: probe.scope, target: probe.target });
  }
  return [...toLift.values()];
}

// The longest an attempt may take: one request within the providers' timeout, two for a message in
// doubt (Twilio and Brevo look it up before sending it again).
const attemptMs = (deps: DeliveryDeps, m: MessageRow) =>
  (m.previous_unconfirmed_since ? 2 : 1) * deps.sending.callTimeoutMs;
/**
 * Whether the message may be called now. A call must end within its lease: once the lease ends,
 * another attempt (the retry poller, another instance) may take the message and call it too, which
 * is a second SMS where the provider has no Idempotency-Key (Twilio, Brevo). A message that waited
 * for a call slot (every slot taken by calls that hang) until its lease would end before its attempt
 * could has its lease renewed first, if no other attempt took it meanwhile; if one did, it is that
 * attempt's.
 */
const stillOurs = async (deps: DeliveryDeps, message: MessageRow, leaseEnd: number): Promise<boolean> => {
  if (Date.now() + attemptMs(deps, message) <= leaseEnd) return true;
  return renewMessageLease(
    deps.db,
    message.id,
    message.attempts,
    Math.max(deps.sending.leaseMs, attemptMs(deps, message)),
  ).catch(() => false);
};

/** The outcome of a message to an opted-out phone, or of one whose check failed (no call without it); null: call. */
async function optOutRefusal(
  guard: ReturnType<typeof createOptOutGuard>,
  message: MessageRow,
): Promise<SendOutcome | null> {
  let optedOut: boolean;
  try {
    optedOut = await guard.isOptedOut(message.recipient);
  } catch (error) {
    // No call without the check: the message waits for the database.
    return {
      kind: 'retry',
      reason: `opt-out check failed: ${(error as Error).message}`,
      retryAfterMs: null,
      uncertain: false,
    };
  }
  return optedOut ? { kind: 'permanent', reason: 'opted_out' } : null;
}

function logHeldBack(
  log: Logger,
  ratePerMinute: number,
  { deferred, outsideHours, held }: { deferred: number; outsideHours: number; held: number },
) {
  if (deferred > 0) log.info({ deferred, ratePerMinute }, 'accounts over their send rate; messages deferred');
  if (outsideHours > 0)
    log.info({ outsideHours }, 'messages outside their contact hours; deferred to the next opening');
  if (held > 0) log.info({ held }, 'messages of held accounts or providers; waiting for their probe');
}
