import { updatePendingMessages } from './updatePendingMessages.js';

/**
 * Pending messages whose attempt met a hold (their account's or provider's sending is held): they
 * wait `until` the hold's next probe, named by it (`heldBy`), their lease released, and an attempt that was
 * counted (`attempted`) is given back: it does not count against SEND_MAX_ATTEMPTS (it says nothing of the message).
 */
export const holdMessages = updatePendingMessages(
  { heldBy: 'text', until: 'timestamptz', lastError: 'text', attempted: 'boolean' },
  `next_attempt_at = r.until, held_by = r.held_by, locked_until = NULL, unconfirmed_since = NULL,
   attempts = CASE WHEN r.attempted THEN greatest(m.attempts - 1, 0) ELSE m.attempts END,
   last_error = coalesce(r.last_error, m.last_error)`,
);
