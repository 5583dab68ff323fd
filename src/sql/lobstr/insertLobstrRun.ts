import type { Db, Trx } from '../../db/knex.js';

/**
 * Records a Lobstr run to import once, however often (and by whichever path: the webhook, the
 * reconciliation) it is announced; false when it was known already. A run the reconciliation saw
 * unfinished (`waiting`) is known but not announced: announcing it makes it pending.
 */
export async function insertLobstrRun(
  db: Db | Trx,
  run: { runId: string; squid: string | null; eventId?: string; trigger?: 'webhook' | 'reconcile' },
): Promise<boolean> {
  const eventId = run.eventId ?? null;
  const trigger = run.trigger ?? null;
  const inserted = await db('lobstr_runs')
    .insert({ run_id: run.runId, squid: run.squid, event_id: eventId, trigger })
    .onConflict('run_id')
    .merge({ status: 'pending', event_id: eventId, trigger, last_error: null, updated_at: db.fn.now() })
    .where('lobstr_runs.status', 'waiting')
    .returning('run_id');
  return inserted.length > 0;
}
