import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per Lobstr run: created by the webhook (so a run is imported once however often the
  // webhook fires) and advanced page by page by the importer (so a crash resumes at the next page).
  await knex.schema.createTable('lobstr_runs', (t) => {
    t.text('run_id').primary();
    t.text('squid');
    t.text('status').notNullable().defaultTo('pending');
    t.integer('next_page').notNullable().defaultTo(1);
    t.integer('total_pages');
    t.integer('total_results');
    t.integer('ads_received').notNullable().defaultTo(0);
    t.integer('results_skipped').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE lobstr_runs ADD CONSTRAINT lobstr_runs_status_check CHECK (status IN ('pending', 'importing', 'done'))`,
  );

  // One row per calendar day (Europe/Paris): the primary key is what makes a tick happen once
  // whatever the number of schedulers and API calls.
  await knex.schema.createTable('ticks', (t) => {
    t.text('tick_id').primary();
    t.date('day').notNullable().unique();
    t.uuid('event_id').notNullable();
    t.text('requested_by').notNullable();
    t.integer('hunts_total');
    t.integer('hunts_done').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ticks');
  await knex.schema.dropTable('lobstr_runs');
}
