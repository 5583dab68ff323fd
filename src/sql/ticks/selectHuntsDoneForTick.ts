import type { Db } from '../../db/knex.js';

/**
 * Which of `huntIds` a tick has finished already (a redelivered tick resumes with the others). The ids
 * travel as one array: a tick asks about every active hunt, more than a statement's 65,535 parameters.
 */
export async function selectHuntsDoneForTick(db: Db, huntIds: string[], tickId: string): Promise<Set<string>> {
  if (huntIds.length === 0) return new Set();
  return new Set(
    (await db('hunts')
      .whereRaw('id = ANY(?::uuid[])', [huntIds])
      .where({ last_tick_id: tickId })
      .pluck('id')) as string[],
  );
}
