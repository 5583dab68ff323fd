import type { Trx } from '../../db/knex.js';

/**
 * Of an account's last `window` messages sent through `provider` (since its carrier-filtering hold was
 * last lifted), how many the carriers filtered (`code`, Twilio's 30007).
 */
export async function countCarrierFiltering(
  trx: Trx,
  accountId: string,
  provider: string,
  code: string,
  window: number,
): Promise<number> {
  const { rows } = await trx.raw<{ rows: Array<{ filtered: number }> }>(
    `SELECT count(*) FILTER (WHERE x.delivery_error = :code)::int AS filtered FROM (
       SELECT m.delivery_error FROM messages m
        WHERE m.account_id = :accountId AND m.provider = :provider AND m.last_attempt_at IS NOT NULL
          AND m.last_attempt_at > coalesce(
                (SELECT h.lifted_at FROM sending_holds h WHERE h.scope = 'account' AND h.target = :accountId::text), '-infinity')
        ORDER BY m.last_attempt_at DESC LIMIT :window) x`,
    { accountId, provider, code, window },
  );
  return rows[0]!.filtered;
}
