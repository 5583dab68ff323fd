import type { Trx } from '../../db/knex.js';

export async function completeTick(trx: Trx, tickId: string, at: Date): Promise<void> {
  await trx('ticks').where({ tick_id: tickId }).update({ completed_at: at });
}
