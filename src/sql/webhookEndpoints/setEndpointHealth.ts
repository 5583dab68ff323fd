import type { Trx } from '../../db/knex.js';

/** The endpoint's last attempt and failing state; with `disable`, it is disabled for that reason. */
export async function setEndpointHealth(
  trx: Trx,
  endpointId: string,
  h: {
    attemptedAt: Date;
    statusCode: number | null;
    error: string | null;
    failingSince: Date | null;
    disable: { reason: string } | null;
  },
): Promise<void> {
  await trx('webhook_endpoints')
    .where({ id: endpointId })
    .update({
      last_attempt_at: h.attemptedAt,
      last_status_code: h.statusCode,
      last_error: h.error,
      failing_since: h.failingSince,
      ...(h.disable
        ? { enabled: false, disabled_at: h.attemptedAt, disabled_reason: h.disable.reason, updated_at: h.attemptedAt }
        : {}),
    });
}
