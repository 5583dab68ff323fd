import type { Knex } from 'knex';

// hunts.criteria_changed_at: when the hunt's matching criteria last changed (creation included). The
// backfill of an UPDATED hunt looks back over BACKFILL_DAYS only when its criteria changed since its
// last scan: a rename, a new template, new contact hours or a pacing limit match the same ads.
// Existing hunts take their updated_at, so that a change already under way still backfills.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hunts', (t) => {
    t.timestamp('criteria_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('UPDATE hunts SET criteria_changed_at = updated_at');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hunts', (t) => {
    t.dropColumn('criteria_changed_at');
  });
}
