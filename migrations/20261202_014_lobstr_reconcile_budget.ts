import type { Knex } from 'knex';

// Lobstr as it really runs (the importer's reconciliation, the shared rate budget, the phone check):
// - lobstr_runs learns two states: `waiting` (seen in a squid's run list, not finished on Lobstr's side
//   yet; looked at again by the next reconciliation) and `skipped` (ended without results to import:
//   aborted, error, or older than the reconciliation's look-back); `trigger` says what brought the run
//   (webhook or reconcile); each page adds the result fields it saw, the results that carried a phone
//   and those where Lobstr's is_mobile disagreed with libphonenumber, so that a resumed run keeps counting.
// - lobstr_squids: one row per squid the importers reconcile; the pass of a period is claimed by one
//   importer (a lease), the next one is due a period later.
// - lobstr_rate_budgets: the request slots of one Lobstr API key, shared by every importer process
//   (keyed by a hash of the key; the key itself is never stored), with the back-off Lobstr asked for.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE lobstr_runs DROP CONSTRAINT lobstr_runs_status_check`);
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_status_check CHECK (status IN ('waiting', 'pending', 'importing', 'retrying', 'done', 'failed', 'skipped'))`,
  );
  await knex.schema.alterTable('lobstr_runs', (t) => {
    t.text('trigger');
    t.specificType('result_fields', 'text[]').notNullable().defaultTo(knex.raw(`'{}'::text[]`));
    t.integer('results_with_phone').notNullable().defaultTo(0);
    t.integer('mobile_disagreements').notNullable().defaultTo(0);
  });
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_trigger_check CHECK (trigger IN ('webhook', 'reconcile'))`,
  );
  // The reconciliation looks again at the runs it saw unfinished, squid by squid; the readiness report
  // reads the last run imported.
  await knex.raw(`CREATE INDEX lobstr_runs_waiting_idx ON lobstr_runs (squid) WHERE status = 'waiting'`);
  await knex.raw(`CREATE INDEX lobstr_runs_completed_idx ON lobstr_runs (completed_at DESC) WHERE status = 'done'`);

  await knex.schema.createTable('lobstr_squids', (t) => {
    t.text('squid').primary();
    t.timestamp('next_pass_at', { useTz: true }).notNullable();
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('last_pass_at', { useTz: true });
    t.text('last_error');
    t.integer('runs_found').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('lobstr_rate_budgets', (t) => {
    t.text('key_hash').primary();
    t.timestamp('next_slot_at', { useTz: true }).notNullable();
    t.timestamp('blocked_until', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('lobstr_rate_budgets');
  await knex.schema.dropTable('lobstr_squids');
  await knex.raw('DROP INDEX lobstr_runs_completed_idx');
  await knex.raw('DROP INDEX lobstr_runs_waiting_idx');
  await knex.raw('ALTER TABLE lobstr_runs DROP CONSTRAINT lobstr_runs_trigger_check');
  await knex.schema.alterTable('lobstr_runs', (t) => {
    t.dropColumn('trigger');
    t.dropColumn('result_fields');
    t.dropColumn('results_with_phone');
    t.dropColumn('mobile_disagreements');
  });
  // A run the reconciliation only saw was never announced: it goes; a skipped one is kept as failed.
  await knex.raw(`DELETE FROM lobstr_runs WHERE status = 'waiting'`);
  await knex.raw(`UPDATE lobstr_runs SET status = 'failed' WHERE status = 'skipped'`);
  await knex.raw(`ALTER TABLE lobstr_runs DROP CONSTRAINT lobstr_runs_status_check`);
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_status_check CHECK (status IN ('pending', 'importing', 'retrying', 'done', 'failed'))`,
  );
}
