import type { Knex } from 'knex';

// What it takes for a contact the dealer sees to be a message the seller can get.
//  - hunts.outreach_content_sid / outreach_content_variables / outreach_fallback: a WhatsApp hunt's
//    approved template (Twilio's ContentSid, its numbered variables written with the service's
//    template variables) and its optional SMS fallback; outreach_template becomes optional for it (a
//    hunt has an outreach when it has a channel and either). Down, a WhatsApp hunt without text loses
//    its outreach (the schema before cannot hold it).
//  - messages.content_sid / content_variables: the template a WhatsApp message is sent as (the
//    variables rendered for its ad); content_is_text: false when content is only a summary of that
//    template (a hunt without free text), which is never sent as text; fallback_content: the SMS its seller gets instead if WhatsApp
//    cannot reach them; fallback_of: on that SMS, the WhatsApp message it replaces.
//  - messages.previous_external_id / retried_unreachable: a message tried again after its phone was
//    unreachable (Twilio 30003, Brevo's soft bounce), once; the earlier attempt's callbacks change nothing.
//  - messages.held_by: the hold (sending_holds) a pending message waits for.
//  - messages.receipt_check_at / receipt_checks: when a sent message without its final status is
//    looked up at its provider (a lost callback), and how often it was.
//  - sending_holds: an account's (or a provider's, for the deployment's settings) sending held by an
//    error that is not the message's (credentials, a region not enabled, a sender not allowed, no
//    credits, carrier filtering), its next probe, and when it was lifted.
//  - inbound_messages (from_phone, received_at): a seller's last message, for WhatsApp's 24-hour window.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hunts', (t) => {
    t.text('outreach_content_sid');
    t.jsonb('outreach_content_variables');
    t.text('outreach_fallback');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.text('content_sid');
    t.jsonb('content_variables');
    t.boolean('content_is_text').notNullable().defaultTo(true);
    t.text('fallback_content');
    t.uuid('fallback_of');
    t.text('previous_external_id');
    t.boolean('retried_unreachable').notNullable().defaultTo(false);
    t.text('held_by');
    t.timestamp('receipt_check_at', { useTz: true });
    t.integer('receipt_checks').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('sending_holds', (t) => {
    t.text('scope').notNullable();
    t.text('target').notNullable();
    t.text('reason').notNullable();
    t.text('code');
    t.text('detail');
    t.timestamp('since', { useTz: true }).notNullable();
    t.timestamp('next_probe_at', { useTz: true }).notNullable();
    t.uuid('probe_message_id');
    t.timestamp('lifted_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.primary(['scope', 'target']);
  });
  await knex.raw(`
    ALTER TABLE sending_holds ADD CONSTRAINT sending_holds_scope_check CHECK (scope IN ('account', 'provider'));
    ALTER TABLE hunts ADD CONSTRAINT hunts_outreach_fallback_check CHECK (outreach_fallback IN ('sms'));
    ALTER TABLE hunts DROP CONSTRAINT hunts_outreach_check;
    ALTER TABLE hunts ADD CONSTRAINT hunts_outreach_check
      CHECK ((outreach_channel IS NULL) = (outreach_template IS NULL AND outreach_content_sid IS NULL));
    CREATE INDEX messages_held_by_idx ON messages (held_by) WHERE held_by IS NOT NULL;
    CREATE INDEX messages_previous_external_id_idx ON messages (previous_external_id) WHERE previous_external_id IS NOT NULL;
    CREATE INDEX messages_receipt_check_idx ON messages (receipt_check_at)
      WHERE status = 'sent' AND delivery_status IS NULL AND receipt_check_at IS NOT NULL;
    CREATE INDEX inbound_messages_from_idx ON inbound_messages (from_phone, received_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX inbound_messages_from_idx;
    DROP INDEX messages_receipt_check_idx;
    DROP INDEX messages_held_by_idx;
    DROP INDEX messages_previous_external_id_idx;
    ALTER TABLE hunts DROP CONSTRAINT hunts_outreach_fallback_check;
    ALTER TABLE hunts DROP CONSTRAINT hunts_outreach_check;
    UPDATE hunts SET outreach_channel = NULL WHERE outreach_template IS NULL;
    ALTER TABLE hunts ADD CONSTRAINT hunts_outreach_check CHECK ((outreach_channel IS NULL) = (outreach_template IS NULL));
  `);
  await knex.schema.dropTable('sending_holds');
  await knex.schema.alterTable('messages', (t) => {
    for (const c of [
      'content_sid',
      'content_variables',
      'content_is_text',
      'fallback_content',
      'fallback_of',
      'previous_external_id',
      'retried_unreachable',
      'held_by',
      'receipt_check_at',
      'receipt_checks',
    ])
      t.dropColumn(c);
  });
  await knex.schema.alterTable('hunts', (t) => {
    t.dropColumn('outreach_content_sid');
    t.dropColumn('outreach_content_variables');
    t.dropColumn('outreach_fallback');
  });
}
