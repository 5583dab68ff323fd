import type { Trx } from '../../db/knex.js';

/** Marks a hunt deleted at `version`; the row stays (its leads and messages point at it). */
export async function softDeleteHunt(trx: Trx, id: string, version: number, now: Date): Promise<void> {
  await trx('hunts').where({ id }).update({ deleted_at: now, updated_at: now, version });
}
