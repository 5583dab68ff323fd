// One delivery attempt of one message, safe to run from any sender instance at any time:
//   1. claim: a short transaction takes a lease on a pending, due message (and checks the account's
//      send rate under an advisory lock); nothing else can attempt it while the lease holds;
//   2. call the gateway, outside any transaction, with the message id as Idempotency-Key;
//   3. record the outcome in one transaction with its event (MessageSent / MessageFailed).
// A crash between 2 and 3 leaves the message pending with its lease: once the lease ends it is
// attempted again with the same Idempotency-Key, so the gateway sends it once.
import type { Trx } from '../../db/knex.js';
import type { ServiceContext } from '../../service.js';
import { backoffDelay } from '../../platform/retry.js';
import { postToGateway, type GatewayOutcome } from './gateway.js';

interface MessageRow {
  id: string;
  account_id: string;
  lead_id: string;
  hunt_id: string;
  ad_id: string;
  channel: string;
  recipient: string;
  content: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  command_event_id: string | null;
  correlation_id: string | null;
}

/** What settles a message follows from the SendMessage that commanded it, in the same chain. */
const causeOf = (m: MessageRow) =>
  m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined;

export type DeliveryResult = 'sent' | 'failed' | 'retry-scheduled' | 'rate-limited' | 'not-due';

export async function attemptDelivery(ctx: ServiceContext, messageId: string, options: { random?: () => number } = {}): Promise<DeliveryResult> {
  const log = ctx.log.child({ component: 'sender', messageId });
  const { sending } = ctx.config;

  const claimed = await ctx.db.transaction(async (trx) => {
    const candidate = (await trx('messages').where({ id: messageId }).first('account_id', 'status')) as { account_id: string; status: string } | undefined;
    if (!candidate || candidate.status !== 'pending') return 'not-due' as const;
    // One claim at a time per account, so that concurrent senders agree on the rate.
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`send-rate:${candidate.account_id}`]);
    const recent = await trx.raw<{ rows: Array<{ n: number; oldest: Date | null }> }>(
      `SELECT count(*)::int AS n, min(last_attempt_at) AS oldest FROM messages
        WHERE account_id = ? AND last_attempt_at > now() - interval '1 minute'`,
      [candidate.account_id],
    );
    const { n, oldest } = recent.rows[0]!;
    if (n >= sending.ratePerMinute) {
      // Over the account's rate: come back when the oldest attempt of the window leaves it.
      await trx('messages')
        .where({ id: messageId, status: 'pending' })
        .update({ next_attempt_at: trx.raw(`greatest(next_attempt_at, ?::timestamptz + interval '1 minute')`, [oldest]), updated_at: trx.fn.now() });
      return 'rate-limited' as const;
    }
    const [row] = (await trx('messages')
      .where({ id: messageId, status: 'pending' })
      .where('next_attempt_at', '<=', trx.fn.now())
      .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', trx.fn.now()))
      .update({
        attempts: trx.raw('attempts + 1'),
        locked_until: trx.raw(`now() + make_interval(secs => ?)`, [sending.leaseMs / 1000]),
        last_attempt_at: trx.fn.now(),
        updated_at: trx.fn.now(),
      })
      .returning('*')) as MessageRow[];
    return row ?? ('not-due' as const);
  });
  if (typeof claimed === 'string') {
    if (claimed === 'rate-limited') log.info({ ratePerMinute: sending.ratePerMinute }, 'account over its send rate; message deferred');
    return claimed;
  }

  const outcome = await postToGateway(ctx.config.gateway, { messageId, channel: claimed.channel, to: claimed.recipient, content: claimed.content }, () => ctx.clock.now());
  const result = await ctx.db.transaction((trx) => recordOutcome(ctx, trx, claimed, outcome, options.random ?? Math.random));
  ctx.metrics.messagesDelivered.inc({ outcome: result });
  const level = result === 'sent' ? 'info' : 'warn';
  log[level]({ accountId: claimed.account_id, attempt: claimed.attempts, outcome: outcome.kind, ...(outcome.kind !== 'sent' ? { reason: outcome.reason } : {}) }, `message ${result}`);
  return result;
}

async function recordOutcome(ctx: ServiceContext, trx: Trx, m: MessageRow, outcome: GatewayOutcome, random: () => number): Promise<DeliveryResult> {
  const now = ctx.clock.now();
  if (outcome.kind === 'sent') {
    const updated = await trx('messages')
      .where({ id: m.id, status: 'pending' })
      .update({ status: 'sent', external_id: outcome.externalId, sent_at: outcome.sentAt, locked_until: null, last_error: null, updated_at: now });
    // Already settled by another attempt (a lease that expired while we waited): nothing to add.
    if (updated === 0) return 'sent';
    await ctx.outbox.enqueue(trx, {
      eventType: 'MessageSent',
      key: m.account_id,
      cause: causeOf(m),
      value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, externalId: outcome.externalId, attempts: m.attempts, sentAt: outcome.sentAt.getTime() },
    });
    return 'sent';
  }
  if (outcome.kind === 'retry' && m.attempts < ctx.config.sending.maxAttempts) {
    const backoff = backoffDelay(m.attempts, { baseMs: ctx.config.sending.retryBaseMs, maxMs: 6 * 3600_000, random });
    const delay = Math.max(backoff, outcome.retryAfterMs ?? 0);
    await trx('messages')
      .where({ id: m.id, status: 'pending' })
      .update({ next_attempt_at: new Date(now.getTime() + delay), locked_until: null, last_error: outcome.reason, updated_at: now });
    return 'retry-scheduled';
  }
  // Given up: a permanent refusal, or retries exhausted. The seller was never reached, so the
  // contacted ad is released (a later contact stays possible) and the lead goes back to 'nouveau'.
  const permanent = outcome.kind === 'permanent';
  const reason = outcome.reason;
  const updated = await trx('messages')
    .where({ id: m.id, status: 'pending' })
    .update({ status: 'failed', last_error: reason, failed_at: now, locked_until: null, updated_at: now });
  if (updated === 0) return 'failed';
  await trx('contacted_ads').where({ message_id: m.id }).delete();
  await trx('leads')
    .where({ id: m.lead_id, stage: 'contacte' })
    .update({ stage: 'nouveau', reason: 'message_failed', reason_detail: reason, contacted_at: null, updated_at: now });
  await ctx.outbox.enqueue(trx, {
    eventType: 'MessageFailed',
    key: m.account_id,
    cause: causeOf(m),
    value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, reason, permanent, attempts: m.attempts, failedAt: now.getTime() },
  });
  return 'failed';
}
