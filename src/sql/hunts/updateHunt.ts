import type { Trx } from '../../db/knex.js';
import type { Hunt, HuntSettings } from '../../domain/types.js';
import { huntFromRow, rowFromSettings, type HuntRow } from './huntRow.js';

/**
 * Writes a hunt's settings at `version` (the caller holds the row lock and bumps the version);
 * `criteriaChanged`: what it matches changed (its backfill must look back again).
 */
export async function updateHunt(
  trx: Trx,
  id: string,
  settings: HuntSettings,
  version: number,
  now: Date,
  criteriaChanged = true,
): Promise<Hunt> {
  const [row] = await trx<HuntRow>('hunts')
    .where({ id })
    .update({
      ...rowFromSettings(settings),
      version,
      updated_at: now,
      ...(criteriaChanged ? { criteria_changed_at: now } : {}),
    })
    .returning('*');
  return huntFromRow(row as HuntRow);
}
