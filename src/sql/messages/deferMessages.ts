import { updatePendingMessages } from './updatePendingMessages.js';

/** Moves pending messages' next attempt to at least `until` (outside their contact hours, over the account's send rate). */
export const deferMessages = updatePendingMessages(
  { until: 'timestamptz' },
  'next_attempt_at = greatest(m.next_attempt_at, r.until)',
);
