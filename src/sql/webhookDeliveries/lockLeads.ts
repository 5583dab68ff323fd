import type { Trx } from '../../db/knex.js';

/**
 * Serialises the deliverer's transactions about the same leads (transaction-scoped advisory locks,
 * taken in one order so that two batches cannot deadlock): a LeadCreated marking its lead and a
 * MessageSent deciding whether to wait for it never miss each other.
 */
export async function lockLeads(trx: Trx, leadIds: readonly string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await trx.raw(
    `SELECT pg_advisory_xact_lock(hashtextextended('webhook-lead:' || id, 0))
       FROM (SELECT DISTINCT unnest(?::text[]) AS id ORDER BY 1) AS leads`,
    [[...leadIds]],
  );
}
