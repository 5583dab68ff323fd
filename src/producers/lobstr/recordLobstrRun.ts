// A Lobstr run is done: recorded once (however often the webhook fires, and whether the webhook or the
// importer's reconciliation found it first) with its LobstrRunCompleted event; the importer does the
// slow part.
import type { Db } from '../../db/knex.js';
import { newEventId } from '../../events/envelope.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { insertLobstrRun } from '../../sql/lobstr/insertLobstrRun.js';

export async function recordLobstrRun(
  db: Db,
  outbox: Outbox,
  run: { runId: string; squid: string | null; event: string; notifiedAt: number; trigger: 'webhook' | 'reconcile' },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const eventId = newEventId();
    if (!(await insertLobstrRun(trx, { runId: run.runId, squid: run.squid, eventId, trigger: run.trigger })))
      return false;
    const { trigger: _trigger, ...value } = run;
    await outbox.enqueue(trx, { eventType: 'LobstrRunCompleted', key: run.runId, eventId, value });
    return true;
  });
}
