import type { Trx } from '../../db/knex.js';
import type { DeliveryStatus } from '../../domain/webhooks.js';

/**
 * Records an attempt (webhook_attempts) and what it decided for its delivery: delivered, the next
 * attempt's due time, or failed; the lease ends. Nothing when the delivery is gone (its endpoint was
 * deleted meanwhile).
 */
export async function settleDelivery(
  trx: Trx,
  s: {
    id: string;
    attemptedAt: Date;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    status: DeliveryStatus;
    nextAttemptAt: Date | null;
    scheduleStep: number;
  },
): Promise<void> {
  await trx.raw(
    `WITH settled AS (
       UPDATE webhook_deliveries
          SET status = ?, attempts = attempts + 1, schedule_step = ?,
              next_attempt_at = COALESCE(?::timestamptz, next_attempt_at), locked_until = NULL,
              last_attempt_at = ?, last_status_code = ?, last_error = ?,
              delivered_at = CASE WHEN ? = 'delivered' THEN ?::timestamptz ELSE delivered_at END
        WHERE id = ?
        RETURNING id
     )
     INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, duration_ms)
     SELECT id, ?, ?, ?, ? FROM settled`,
    [
      s.status,
      s.scheduleStep,
      s.nextAttemptAt,
      s.attemptedAt,
      s.statusCode,
      s.error,
      s.status,
      s.attemptedAt,
      s.id,
      s.attemptedAt,
      s.statusCode,
      s.error,
      Math.round(s.durationMs),
    ],
  );
}
