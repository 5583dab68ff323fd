// A Lobstr run is done: recorded once (however often the webhook fires) with its LobstrRunCompleted
// event; the importer does the slow part.
import type { Db } from '../../db/knex.js';
import type { Outbox } from '../../outbox/enqueue.js';
import { insertLobstrRun } from '../../sql/insertLobstrRun.js';

export async function recordLobstrRun(db: Db, outbox: Outbox, run: { runId: string; squid: string | null; event: string; notifiedAt: number }): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!(await insertLobstrRun(trx, run.runId, run.squid))) return false;
    await outbox.enqueue(trx, { eventType: 'LobstrRunCompleted', key: run.runId, value: run });
    return true;
  });
}
