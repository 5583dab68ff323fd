// Lost callbacks recovered. Twilio does not retry a status callback that failed, and a callback can
// be lost on the way; a message sent without a final status would then stay unsettled for ever (its
// seller claimed, its lead contacte, nothing known). So a sent message whose final status has not come
// RECEIPT_RECONCILE_AFTER_MS after it was sent is read back at its provider (Twilio: the message by its
// sid; Brevo: the SMS events report by its tag) and settled as if its callback had come, through the
// same recordReceipt. Not final yet: read again later (after twice as long), a few times. Any number
// of instances share the work (each takes its messages with SKIP LOCKED).
import type { Logger } from '../../platform/logger.js';
import { startPoller } from '../../platform/poller.js';
import type { RoleHandle } from '../../platform/roleHandle.js';
import type { MessageProvider, ProviderName } from '../../providers/provider.js';
import { claimReceiptChecks } from '../../sql/callbacks/claimReceiptChecks.js';
import { recordCallback, type CallbackDeps } from './recordCallback.js';

export interface ReconcileDeps extends CallbackDeps {
  log: Logger;
  /** The provider of each name this process sends through. */
  provider: (name: ProviderName) => MessageProvider | undefined;
  afterMs: number;
  pollMs: number;
}

const BATCH = 100;
/** Checks of one message before giving up on learning its fate (after, 2×, 4×, 8×, 16× after its send). */
const MAX_CHECKS = 5;

export function startReceiptReconciler(deps: ReconcileDeps): RoleHandle {
  const log = deps.log.child({ component: 'receipts' });
  const poller = startPoller({
    intervalMs: deps.pollMs,
    pass: async (running) => {
      const due = await claimReceiptChecks(deps.db, {
        limit: BATCH,
        now: deps.clock.now(),
        afterMs: deps.afterMs,
        maxChecks: MAX_CHECKS,
      });
      let settled = 0;
      for (const m of due) {
        if (!running()) break;
        const provider = m.provider ? deps.provider(m.provider as ProviderName) : undefined;
        if (!provider) continue;
        try {
          const status = await provider.fetchStatus({
            messageId: m.id,
            externalId: m.external_id,
            recipient: m.recipient,
            sentAt: m.sent_at,
          });
          if (status.kind === 'receipt') {
            const outcome = await recordCallback(deps, provider.name, status);
            if (outcome.status === 'recorded') settled++;
          } else if (status.kind === 'unknown')
            log.warn({ messageId: m.id, why: status.why }, 'a sent message cannot be read back');
        } catch (error) {
          // The provider or the database did not answer: the message is read again at its next check.
          log.warn({ err: error, messageId: m.id }, 'reading a sent message back failed; trying again later');
        }
      }
      if (settled > 0)
        log.info({ settled, checked: due.length }, 'sent messages settled from their provider (lost callbacks)');
      return due.length === BATCH ? 'more' : undefined;
    },
    onError: (error) => log.error({ err: error }, 'receipt reconciliation failed; trying again'),
  });
  return { stop: () => poller.stop() };
}
