// What a provider's callback, once verified and read (src/providers/*), does here, the same for every
// provider: a receipt sets the message's delivery status (MessageDelivered) and, with a final error
// code, gives the message up, tries it again later or holds its sending (recordReceipt.ts); an inbound message is
// recorded and joined to the message it answers (recordInbound.ts): STOP opts the phone out for every
// account, START lifts it, anything else is the seller's reply (SellerReplied).
import { NotFoundError } from '../../domain/errors.js';
import type { Db } from '../../db/knex.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import type { ProviderCallback, ProviderName } from '../../providers/provider.js';
import { recordReceipt, type ReceiptEffect, type ReceiptRules } from './recordReceipt.js';
import { recordInbound } from './recordInbound.js';

export interface CallbackDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'optOuts' | 'optOutCancelled' | 'receipts' | 'providerCallbacks' | 'replies'>;
  rules: ReceiptRules;
}

export type CallbackOutcome =
  | { status: 'recorded' | 'unchanged'; messageId: string; effect?: ReceiptEffect }
  /** A receipt for a message this service does not know (another application on the same account). */
  | { status: 'unknown' }
  | { status: 'opted_out'; phone: string; cancelled: number; created: boolean }
  | { status: 'opted_in'; phone: string; lifted: boolean }
  /** A seller's reply, joined to its lead (matched) or kept for operators (not). */
  | { status: 'reply'; phone: string; matched: boolean; leadId: string | null }
  /** The same inbound message again: nothing changed. */
  | { status: 'unchanged'; phone: string }
  | { status: 'ignored'; phone?: string };

export async function recordCallback(
  deps: CallbackDeps,
  provider: ProviderName,
  callback: ProviderCallback,
): Promise<CallbackOutcome> {
  const outcome = await apply(deps, provider, callback);
  const kind = callback.kind === 'receipt' ? 'status' : callback.kind === 'inbound' ? 'inbound' : 'other';
  deps.metrics.providerCallbacks.inc({ provider, kind, outcome: outcome.status });
  return outcome;
}

async function apply(deps: CallbackDeps, provider: ProviderName, callback: ProviderCallback): Promise<CallbackOutcome> {
  switch (callback.kind) {
    case 'ignored':
      return { status: 'ignored' };
    case 'receipt': {
      try {
        // Our message id finds the message; the provider's id tells an earlier attempt's callback apart.
        const ref = {
          ...(callback.messageId ? { messageId: callback.messageId } : {}),
          ...(callback.externalId ? { externalId: callback.externalId } : {}),
        };
        const result = await recordReceipt(deps, {
          ...ref,
          status: callback.status,
          at: callback.at,
          errorCode: callback.errorCode,
          finalCode: callback.finalCode ?? callback.errorCode,
          provider,
        });
        deps.metrics.receipts.inc({ status: callback.status, outcome: result.changed ? 'recorded' : 'unchanged' });
        return {
          status: result.changed ? 'recorded' : 'unchanged',
          messageId: result.messageId,
          effect: result.effect,
        };
      } catch (error) {
        if (error instanceof NotFoundError) return { status: 'unknown' };
        throw error;
      }
    }
    case 'inbound': {
      const r = await recordInbound(deps, {
        provider,
        providerMessageId: callback.providerMessageId,
        from: callback.from,
        to: callback.to,
        text: callback.text,
        optOut: callback.optOut,
        at: callback.at,
        inReplyTo: callback.inReplyTo,
      });
      const phone = callback.from;
      switch (r.status) {
        case 'duplicate':
          return { status: 'unchanged', phone };
        case 'opted_out':
          if (r.created) deps.metrics.optOuts.inc({ source: 'inbound' });
          deps.metrics.optOutCancelled.inc(r.cancelled);
          return { status: 'opted_out', phone, cancelled: r.cancelled, created: r.created };
        case 'opted_in':
          return { status: 'opted_in', phone, lifted: r.lifted };
        case 'reply':
          deps.metrics.replies.inc({ provider, matched: String(r.matched) });
          return { status: 'reply', phone, matched: r.matched, leadId: r.leadId };
      }
    }
  }
}
