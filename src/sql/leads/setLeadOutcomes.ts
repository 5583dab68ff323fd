import type { Trx } from '../../db/knex.js';

export interface LeadOutcome {
  leadId: string;
  stage: 'nouveau' | 'contacte';
  /** Why the seller was not contacted; null once contacted. */
  reason: string | null;
}

/** Sets every lead's stage and reason in one statement (contacted_at for the contacted). */
export async function setLeadOutcomes(trx: Trx, outcomes: LeadOutcome[], now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  await trx.raw(
    `UPDATE leads l SET stage = u.stage, reason = u.reason, reason_detail = NULL,
            contacted_at = CASE WHEN u.stage = 'contacte' THEN ?::timestamptz ELSE l.contacted_at END, updated_at = ?::timestamptz
       FROM unnest(?::uuid[], ?::text[], ?::text[]) AS u(id, stage, reason)
      WHERE l.id = u.id`,
    [now, now, outcomes.map((o) => o.leadId), outcomes.map((o) => o.stage), outcomes.map((o) => o.reason) as string[]],
  );
}
