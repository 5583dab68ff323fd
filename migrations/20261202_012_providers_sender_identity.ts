import type { Knex } from 'knex';

// Real providers (Twilio, Brevo) and the French rules for commercial SMS.
//  - accounts.sender_name: the identity every SMS and WhatsApp message of the account carries; an
//    account without one (and no SENDER_NAME_DEFAULT) is not messaged (reason no_sender_identity).
//  - account_sender_numbers: the numbers an account sends from (E.164, or whatsapp:+E.164), one
//    account per number: a seller's reply to a number names the account it belongs to.
//  - messages.provider / messages.sender: which provider sent the message, and from which number.
//  - messages.unconfirmed_since: set when an attempt starts, cleared once its outcome is known. A
//    message whose previous attempt is still unconfirmed (an answer lost, a crash) may have reached a
//    provider that has no idempotency key: its next attempt looks it up before sending again.
//  - messages.delivery_error: the provider's error code with an undelivered receipt (Twilio's ErrorCode).
//  - optouts.source gains 'provider' (the provider refused the phone: Twilio's 21610).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('sender_name');
  });
  await knex.schema.createTable('account_sender_numbers', (t) => {
    t.text('number').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.text('channel').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id'], 'account_sender_numbers_account_idx');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.text('provider');
    t.text('sender');
    t.timestamp('unconfirmed_since', { useTz: true });
    t.text('delivery_error');
  });
  await knex.raw(`
    ALTER TABLE account_sender_numbers ADD CONSTRAINT account_sender_numbers_channel_check CHECK (channel IN ('sms', 'whatsapp'));
    ALTER TABLE optouts DROP CONSTRAINT optouts_source_check;
    ALTER TABLE optouts ADD CONSTRAINT optouts_source_check CHECK (source IN ('inbound', 'api', 'provider'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE optouts SET source = 'inbound' WHERE source = 'provider';
    ALTER TABLE optouts DROP CONSTRAINT optouts_source_check;
    ALTER TABLE optouts ADD CONSTRAINT optouts_source_check CHECK (source IN ('inbound', 'api'));
  `);
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('provider');
    t.dropColumn('sender');
    t.dropColumn('unconfirmed_since');
    t.dropColumn('delivery_error');
  });
  await knex.schema.dropTable('account_sender_numbers');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('sender_name');
  });
}
