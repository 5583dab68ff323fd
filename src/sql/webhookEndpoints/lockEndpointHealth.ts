import type { Trx } from '../../db/knex.js';

/** The endpoint's failing state, locked until the attempt's outcome commits; undefined once deleted. */
export async function lockEndpointHealth(
  trx: Trx,
  endpointId: string,
): Promise<{ enabled: boolean; failingSince: Date | null } | undefined> {
  const row = (await trx('webhook_endpoints')
    .where({ id: endpointId })
    .forUpdate()
    .first('enabled', 'failing_since')) as { enabled: boolean; failing_since: Date | null } | undefined;
  return row ? { enabled: row.enabled, failingSince: row.failing_since } : undefined;
}
