import type pg from 'pg';

/**
 * The relay's own session: woken by NOTIFY outbox (the trigger on outbox inserts), and deleting
 * published rows without waiting for the WAL flush (a delete lost in a crash only republishes).
 */
export async function prepareRelaySession(client: pg.Client): Promise<void> {
  await client.query('LISTEN outbox');
  await client.query('SET synchronous_commit = off');
}
