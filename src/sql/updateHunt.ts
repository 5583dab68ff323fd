import type { Trx } from '../db/knex.js';
import type { Hunt, HuntSettings } from '../domain/types.js';
import { huntFromRow, rowFromSettings, type HuntRow } from './rows/huntRow.js';

/** Writes a hunt's settings at `version` (the caller holds the row lock and bumps the version). */
export async function updateHunt(trx: Trx, id: string, settings: HuntSettings, version: number, now: Date): Promise<Hunt> {
  const [row] = await trx<HuntRow>('hunts')
    .where({ id })
    .update({ ...rowFromSettings(settings), version, updated_at: now })
    .returning('*');
  return huntFromRow(row as HuntRow);
}
