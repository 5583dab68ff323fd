import type { Knex } from 'knex';

// A backfill loads the active hunts of the account whose hunt it backfills (attribution looks across
// them), oldest first. hunts_account_idx (account_id, created_at) WHERE deleted_at IS NULL answers it
// only when the planner knows that an account holds a handful of hunts; on a table it has no statistics
// for (a new deployment, a server without autovacuum), it walked hunts_active_idx in (created_at, id)
// order instead and filtered every active hunt on the account. This index has the query's filter and
// order exactly, so it is the cheapest plan whatever the statistics say.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX hunts_account_active_idx ON hunts (account_id, created_at, id) WHERE deleted_at IS NULL AND status = 'active'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX hunts_account_active_idx');
}
