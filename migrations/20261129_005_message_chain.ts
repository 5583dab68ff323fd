import type { Knex } from 'knex';

// The SendMessage event that commands a message and its chain's correlation id, so that the
// MessageSent or MessageFailed settling it (from whichever attempt) follows from them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.uuid('command_event_id');
    t.uuid('correlation_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('command_event_id');
    t.dropColumn('correlation_id');
  });
}
