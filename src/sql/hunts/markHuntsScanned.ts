import type { Trx } from '../../db/knex.js';

/** The hunts have seen every ad scraped before `at` (a backfill), and with `tickId` that this tick is done with them. */
export async function markHuntsScanned(trx: Trx, huntIds: string[], at: Date, tickId?: string): Promise<void> {
  if (huntIds.length === 0) return;
  await trx('hunts')
    .whereIn('id', huntIds)
    .update({ last_scan_at: at, ...(tickId ? { last_tick_id: tickId } : {}) });
}
