// PostgreSQL's autovacuum, which the service's busiest tables need (docs/ARCHITECTURE.md section 7):
// every ad inserts and deletes outbox rows, inserts inbox rows and updates its messages at their claim
// and their settle. Without autovacuum their dead row versions pile up and every query on them slows
// down as the service runs.
import type { Logger } from '../platform/logger.js';
import type { Db } from './knex.js';

export const AUTOVACUUM_OFF_WARNING =
  'PostgreSQL runs without autovacuum (autovacuum = off): the outbox, inbox and messages tables will bloat and the service slow down as it runs; turn it on, or VACUUM them on a schedule';

/** Whether the server runs autovacuum (SHOW autovacuum). */
export async function autovacuumEnabled(db: Db): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ autovacuum: string }> }>('SHOW autovacuum');
  return rows[0]?.autovacuum === 'on';
}

/** Warns once when the server runs without autovacuum; a database that does not answer yet is left to /readyz. */
export async function warnWithoutAutovacuum(db: Db, log: Logger): Promise<void> {
  try {
    if (!(await autovacuumEnabled(db))) log.warn(AUTOVACUUM_OFF_WARNING);
  } catch (error) {
    log.debug({ err: error }, 'could not read the autovacuum setting');
  }
}
