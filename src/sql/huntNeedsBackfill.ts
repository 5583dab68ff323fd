import type { Trx } from '../db/knex.js';

/** Whether the hunt's criteria changed since its last scan (or it was never scanned): an UPDATED hunt backfills only then. */
export async function huntNeedsBackfill(trx: Trx, huntId: string): Promise<boolean> {
  const row = (await trx('hunts')
    .where({ id: huntId })
    .first(trx.raw('last_scan_at IS NULL OR criteria_changed_at > last_scan_at AS needed'))) as
    { needed: boolean } | undefined;
  return row?.needed ?? false;
}
