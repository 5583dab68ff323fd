// The outcome of delivery attempts, in the transaction of their events (messages given up:
// src/sql/messages/giveUpMessages.ts). Each update applies only to
// messages still pending and returns those it changed: an attempt whose lease expired meanwhile
// (another attempt settled the message) must add nothing. An outcome that is known clears the
// attempt's unconfirmed mark (src/sql/messages/leaseMessages.ts); a retry whose request may have reached the
// provider keeps it, so that the next attempt looks the message up before sending it again.
import { updatePendingMessages, type RowsOf } from './updatePendingMessages.js';

/**
 * Messages a provider took: `sender` is the number (or Messaging Service, or alphanumeric sender) it went from, when
 * the provider said; `receiptCheckAt` is when to read its status back at its provider if no final status came by
 * then (null: never).
 */
export const markMessagesSent = updatePendingMessages(
  {
    externalId: 'text null',
    sentAt: 'timestamptz',
    provider: 'text',
    sender: 'text null',
    receiptCheckAt: 'timestamptz null',
  },
  `status = 'sent', external_id = r.external_id, sent_at = r.sent_at, provider = r.provider, sender = r.sender,
   locked_until = NULL, last_error = NULL, unconfirmed_since = NULL, held_by = NULL, receipt_check_at = r.receipt_check_at`,
);
export type SentMessage = RowsOf<typeof markMessagesSent>;

/**
 * Pending messages to try again `at`, and why; `uncertain`: the request may have reached the provider, so the
 * unconfirmed mark stays.
 */
export const scheduleMessageRetries = updatePendingMessages(
  { at: 'timestamptz', reason: 'text', provider: 'text', uncertain: 'boolean' },
  `next_attempt_at = r.at, locked_until = NULL, last_error = r.reason, provider = r.provider,
   unconfirmed_since = CASE WHEN r.uncertain THEN m.unconfirmed_since END`,
);
