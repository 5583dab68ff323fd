import type { Db, Trx } from '../../db/knex.js';
import type { HoldKey } from './holdSending.js';

export interface ActiveHold extends HoldKey {
  reason: string;
  code: string | null;
  detail: string | null;
  since: Date;
  nextProbeAt: Date;
  probeMessageId: string | null;
}

/** The holds in force (a handful at most: the table keeps one row per account or provider ever held). */
export async function selectActiveHolds(db: Db | Trx): Promise<ActiveHold[]> {
  const rows = (await db('sending_holds')
    .whereNull('lifted_at')
    .orderBy('since')
    .select('scope', 'target', 'reason', 'code', 'detail', 'since', 'next_probe_at', 'probe_message_id')) as Array<{
    scope: HoldKey['scope'];
    target: string;
    reason: string;
    code: string | null;
    detail: string | null;
    since: Date;
    next_probe_at: Date;
    probe_message_id: string | null;
  }>;
  return rows.map((r) => ({
    scope: r.scope,
    target: r.target,
    reason: r.reason,
    code: r.code,
    detail: r.detail,
    since: r.since,
    nextProbeAt: r.next_probe_at,
    probeMessageId: r.probe_message_id,
  }));
}
