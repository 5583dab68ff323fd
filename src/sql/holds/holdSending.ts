import type { Trx } from '../../db/knex.js';

/** Whose sending a hold stops: an account's, or a provider's for every account (the deployment's settings). */
export interface HoldKey {
  scope: 'account' | 'provider';
  /** The account id, or the provider's name. */
  target: string;
}

/** How a pending message names the hold it waits for (messages.held_by). */
export const holdKeyText = (k: HoldKey) => `${k.scope}:${k.target}`;

/**
 * Holds sending for `key` (or keeps it held, with the latest reason), its next probe `probeAt`.
 * Returns the hold's `since` (unchanged while it stays held) and whether it was just held.
 */
export async function holdSending(
  trx: Trx,
  key: HoldKey,
  why: { reason: string; code: string | null; detail: string | null },
  probeAt: Date,
  now: Date,
): Promise<{ since: Date; created: boolean }> {
  const { rows } = await trx.raw<{ rows: Array<{ since: Date; created: boolean }> }>(
    `INSERT INTO sending_holds AS h (scope, target, reason, code, detail, since, next_probe_at, updated_at)
     VALUES (:scope, :target, :reason, :code, :detail, :now::timestamptz, :probeAt::timestamptz, :now::timestamptz)
     ON CONFLICT (scope, target) DO UPDATE SET reason = excluded.reason, code = excluded.code, detail = excluded.detail,
            since = CASE WHEN h.lifted_at IS NULL THEN h.since ELSE excluded.since END,
            next_probe_at = excluded.next_probe_at, probe_message_id = NULL, lifted_at = NULL, updated_at = excluded.updated_at
     RETURNING since, since = :now::timestamptz AS created`,
    { ...key, reason: why.reason, code: why.code, detail: why.detail, probeAt, now },
  );
  return rows[0]!;
}
