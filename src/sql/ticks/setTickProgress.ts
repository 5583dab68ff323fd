import type { Db, Trx } from '../../db/knex.js';

/** How many hunts the tick has to catch up, and how many it has done. */
export async function setTickProgress(db: Db, tickId: string, total: number, done: number): Promise<void> {
  await db('ticks').where({ tick_id: tickId }).update({ hunts_total: total, hunts_done: done });
}

/** A group of hunts is done, in the transaction that marks them done. */
export async function addTickHuntsDone(trx: Trx, tickId: string, hunts: number): Promise<void> {
  await trx('ticks').where({ tick_id: tickId }).increment('hunts_done', hunts);
}
