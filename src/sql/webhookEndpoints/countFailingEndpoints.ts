import type { Db } from '../../db/knex.js';

/** Enabled endpoints failing now, and endpoints disabled for failing. */
export async function countFailingEndpoints(db: Db): Promise<{ failing: number; disabled: number }> {
  const { rows } = await db.raw<{ rows: Array<{ failing: string; disabled: string }> }>(
    `SELECT count(*) FILTER (WHERE enabled AND failing_since IS NOT NULL) AS failing,
            count(*) FILTER (WHERE NOT enabled AND disabled_reason IS NOT NULL) AS disabled
       FROM webhook_endpoints
      WHERE failing_since IS NOT NULL OR disabled_reason IS NOT NULL`,
  );
  return { failing: Number(rows[0]?.failing ?? 0), disabled: Number(rows[0]?.disabled ?? 0) };
}
