import type { Knex } from 'knex';

// A Lobstr run the API refuses (404: unknown or deleted run, 401...) is marked failed with the reason,
// and one Lobstr cannot serve now (5xx, timeouts) is retried by due time, as messages are, instead of
// holding its partition: the importer moves on to the next run either way. A lease keeps two importers
// off the same run; the event id links a retried import to the LobstrRunCompleted it answers.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE lobstr_runs DROP CONSTRAINT lobstr_runs_status_check`);
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_status_check CHECK (status IN ('pending', 'importing', 'retrying', 'done', 'failed'))`,
  );
  await knex.schema.alterTable('lobstr_runs', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.uuid('event_id');
  });
  await knex.raw(
    `CREATE INDEX lobstr_runs_due_idx ON lobstr_runs (next_attempt_at) WHERE status IN ('importing', 'retrying')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX lobstr_runs_due_idx');
  await knex.schema.alterTable('lobstr_runs', (t) => {
    t.dropColumn('attempts');
    t.dropColumn('next_attempt_at');
    t.dropColumn('locked_until');
    t.dropColumn('failed_at');
    t.dropColumn('event_id');
  });
  await knex.raw(`UPDATE lobstr_runs SET status = 'pending' WHERE status IN ('retrying', 'failed')`);
  await knex.raw(`ALTER TABLE lobstr_runs DROP CONSTRAINT lobstr_runs_status_check`);
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_status_check CHECK (status IN ('pending', 'importing', 'done'))`,
  );
}
