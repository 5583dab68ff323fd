import type { Db } from '../../db/knex.js';

/** The daily catch-up of a tick begins (or resumes): started_at is set once. */
export async function startTick(db: Db, tickId: string, at: Date): Promise<void> {
  await db('ticks').where({ tick_id: tickId }).whereNull('started_at').update({ started_at: at });
}
