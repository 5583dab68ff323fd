// What a provider's callback, once verified and read (src/providers/*), does here, the same for every
// provider: a receipt sets the message's delivery status (MessageDelivered); an inbound STOP opts the
// phone out for every account, START lifts it; any other inbound message is the seller's reply.
import { NotFoundError } from '../../domain/errors.js';
import type { Db } from '../../db/knex.js';
import type { Outbox } from '../../outbox/enqueue.js';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import type { ProviderCallback, ProviderName } from '../../providers/provider.js';
import { deleteOptOut } from '../../sql/optouts.js';
import { recordReceipt } from '../gateway/recordReceipt.js';
import { recordOptOut } from '../optouts/recordOptOut.js';

export interface CallbackDeps {
  db: Db;
  outbox: Outbox;
  clock: Clock;
  metrics: Pick<Metrics, 'optOuts' | 'optOutCancelled' | 'receipts' | 'providerCallbacks'>;
}

export type CallbackOutcome =
  | { status: 'recorded' | 'unchanged'; messageId: string }
  /** A receipt for a message this service does not know (another application on the same account). */
  | { status: 'unknown' }
  | { status: 'opted_out'; phone: string; cancelled: number }
  | { status: 'opted_in'; phone: string; lifted: boolean }
  | { status: 'ignored'; phone?: string };

export async function recordCallback(deps: CallbackDeps, provider: ProviderName, callback: ProviderCallback): Promise<CallbackOutcome> {
  const outcome = await apply(deps, callback);
  const kind = callback.kind === 'receipt' ? 'status' : callback.kind === 'inbound' ? 'inbound' : 'other';
  deps.metrics.providerCallbacks.inc({ provider, kind, outcome: outcome.status });
  return outcome;
}

async function apply(deps: CallbackDeps, callback: ProviderCallback): Promise<CallbackOutcome> {
  switch (callback.kind) {
    case 'ignored':
      return { status: 'ignored' };
    case 'receipt': {
      try {
        const ref = callback.messageId ? { messageId: callback.messageId } : { externalId: callback.externalId! };
        const result = await recordReceipt(deps, { ...ref, status: callback.status, at: callback.at, errorCode: callback.errorCode });
        deps.metrics.receipts.inc({ status: callback.status, outcome: result.changed ? 'recorded' : 'unchanged' });
        return { status: result.changed ? 'recorded' : 'unchanged', messageId: result.messageId };
      } catch (error) {
        if (error instanceof NotFoundError) return { status: 'unknown' };
        throw error;
      }
    }
    case 'inbound': {
      if (callback.optOut === 'stop') {
        const result = await recordOptOut(deps, { phone: callback.from, source: 'inbound', reason: callback.text.trim() || 'STOP' });
        return { status: 'opted_out', phone: callback.from, cancelled: result.cancelled };
      }
      if (callback.optOut === 'start') return { status: 'opted_in', phone: callback.from, lifted: await deleteOptOut(deps.db, callback.from) };
      return { status: 'ignored', phone: callback.from };
    }
  }
}
