import type { Db } from '../../db/knex.js';

export interface ReceiptCheck {
  id: string;
  provider: string | null;
  external_id: string | null;
  recipient: string;
  sent_at: Date;
}

/**
 * Takes the sent messages whose final status has not come by their check time (a lost callback), up
 * to `limit`, skipping those another instance is taking: each one's next check moves on (after,
 * 2 × after, 4 × after …), and after `maxChecks` it is not checked again (some operators never say).
 */
export async function claimReceiptChecks(
  db: Db,
  options: { limit: number; now: Date; afterMs: number; maxChecks: number },
): Promise<ReceiptCheck[]> {
  const { rows } = await db.raw<{ rows: ReceiptCheck[] }>(
    `UPDATE messages m SET receipt_checks = m.receipt_checks + 1,
            receipt_check_at = CASE WHEN m.receipt_checks + 1 >= :maxChecks THEN NULL
                                    ELSE :now::timestamptz + make_interval(secs => :afterS * power(2, m.receipt_checks + 1)) END
       FROM (SELECT id FROM messages
              WHERE status = 'sent' AND delivery_status IS NULL AND receipt_check_at IS NOT NULL AND receipt_check_at <= :now::timestamptz
              ORDER BY receipt_check_at LIMIT :limit FOR UPDATE SKIP LOCKED) due
      WHERE m.id = due.id
      RETURNING m.id, m.provider, m.external_id, m.recipient, m.sent_at`,
    { ...options, afterS: options.afterMs / 1000 },
  );
  return rows;
}
