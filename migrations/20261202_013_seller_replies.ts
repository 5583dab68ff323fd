import type { Knex } from 'knex';

// Sellers' replies (and every other message a seller sends us: STOP, START), kept whether or not a
// message of ours explains them.
//  - inbound_messages: one row per message a provider reported, unique per (provider, provider id),
//    which is what makes the same callback posted twice one row and one event. lead_id, account_id
//    and message_id are the outbound message it answers, or null (unmatched: kept for operators).
//    kind: reply (a SellerReplied event), opt_out (STOP), opt_in (START).
//  - leads.replied_at (the first reply) and leads.last_reply_at: the stage does not change on a
//    reply (the stages after contacte are the dealer's to set).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbound_messages', (t) => {
    t.uuid('id').primary();
    t.text('provider').notNullable();
    t.text('provider_message_id').notNullable();
    t.text('kind').notNullable();
    t.text('from_phone').notNullable();
    t.text('to_address');
    t.text('text').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.uuid('account_id');
    t.uuid('lead_id');
    t.uuid('message_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'provider_message_id'], { indexName: 'inbound_messages_provider_id_key' });
  });
  await knex.raw(`
    ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_kind_check CHECK (kind IN ('reply', 'opt_out', 'opt_in'));
    CREATE INDEX inbound_messages_lead_idx ON inbound_messages (lead_id, received_at) WHERE lead_id IS NOT NULL;
    CREATE INDEX inbound_messages_unmatched_idx ON inbound_messages (received_at DESC) WHERE lead_id IS NULL;
    -- Attribution: the newest message to a phone (of an account, or of any).
    CREATE INDEX messages_recipient_created_idx ON messages (recipient, created_at DESC);
    -- The console's per-provider figures over the last day.
    CREATE INDEX messages_created_idx ON messages (created_at);
  `);
  await knex.schema.alterTable('leads', (t) => {
    t.timestamp('replied_at', { useTz: true });
    t.timestamp('last_reply_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('leads', (t) => {
    t.dropColumn('replied_at');
    t.dropColumn('last_reply_at');
  });
  await knex.raw('DROP INDEX messages_recipient_created_idx; DROP INDEX messages_created_idx');
  await knex.schema.dropTable('inbound_messages');
}
