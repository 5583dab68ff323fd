import type { Trx } from '../../db/knex.js';
import type { HoldKey } from './holdSending.js';

/**
 * Takes a held scope's probe for one message, if it is due: one attempt goes through to learn
 * whether the problem is fixed, and the next probe is pushed to `nextAt`, so that no other sender
 * probes meanwhile. Returns whether this message is the probe.
 */
export async function takeProbe(trx: Trx, key: HoldKey, messageId: string, now: Date, nextAt: Date): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: unknown[] }>(
    `UPDATE sending_holds SET next_probe_at = :nextAt::timestamptz, probe_message_id = :messageId, updated_at = :now::timestamptz
      WHERE scope = :scope AND target = :target AND lifted_at IS NULL AND next_probe_at <= :now::timestamptz
      RETURNING 1`,
    { ...key, messageId, now, nextAt },
  );
  return rows.length > 0;
}
