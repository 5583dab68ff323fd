import type { Trx } from '../../db/knex.js';
import type { Hunt, HuntSettings } from '../../domain/types.js';
import { huntFromRow, rowFromSettings, type HuntRow } from './huntRow.js';

/** A new hunt at version 1. */
export async function insertHunt(
  trx: Trx,
  hunt: { id: string; accountId: string; settings: HuntSettings; now: Date },
): Promise<Hunt> {
  const [row] = await trx<HuntRow>('hunts')
    .insert({
      id: hunt.id,
      account_id: hunt.accountId,
      ...rowFromSettings(hunt.settings),
      version: 1,
      created_at: hunt.now,
      updated_at: hunt.now,
    })
    .returning('*');
  return huntFromRow(row as HuntRow);
}
