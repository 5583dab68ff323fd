import type { Db } from '../../db/knex.js';

/**
 * Forgets what is no longer needed: lead marks older than `marksBefore` (a lead that old is not waited
 * for), and finished deliveries (delivered or failed, with their attempts) created before `deliveriesBefore`.
 */
export async function pruneWebhooks(
  db: Db,
  options: { marksBefore: Date; deliveriesBefore: Date; limit: number },
): Promise<{ marks: number; deliveries: number }> {
  const marks = await db.raw<{ rowCount: number }>(
    `DELETE FROM webhook_lead_marks WHERE lead_id IN (
       SELECT lead_id FROM webhook_lead_marks WHERE marked_at < ? LIMIT ?)`,
    [options.marksBefore, options.limit],
  );
  const deliveries = await db.raw<{ rowCount: number }>(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ? LIMIT ?)`,
    [options.deliveriesBefore, options.limit],
  );
  return { marks: marks.rowCount, deliveries: deliveries.rowCount };
}
