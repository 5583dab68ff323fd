import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // New leads go on top of their column: positions count down, leaving room for a CRM to
  // insert between two cards without renumbering.
  await knex.raw('CREATE SEQUENCE leads_position_seq INCREMENT BY -1024 MAXVALUE 0 START WITH 0');

  await knex.schema.createTable('leads', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.uuid('ad_id').notNullable().references('ads.id');
    t.uuid('hunt_id').notNullable().references('hunts.id');
    t.text('stage').notNullable().defaultTo('nouveau');
    t.bigInteger('position').notNullable().defaultTo(knex.raw("nextval('leads_position_seq')"));
    // Why the seller was not contacted (no_outreach, no_phone, refuses_salesmen, already_contacted,
    // pacing, message_failed); null once contacted.
    t.text('reason');
    t.text('reason_detail');
    t.timestamp('contacted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['account_id', 'ad_id'], { indexName: 'leads_account_id_ad_id_key' });
  });
  await knex.raw(`
    ALTER TABLE leads ADD CONSTRAINT leads_stage_check
      CHECK (stage IN ('nouveau', 'contacte', 'relance', 'negociation', 'gagne', 'perdu'));
    CREATE INDEX leads_kanban_idx ON leads (account_id, stage, position, id);
    CREATE INDEX leads_held_back_idx ON leads (hunt_id, created_at) WHERE stage = 'nouveau' AND reason = 'pacing';
  `);

  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.uuid('lead_id').notNullable().references('leads.id');
    t.uuid('hunt_id').notNullable().references('hunts.id');
    t.uuid('ad_id').notNullable().references('ads.id');
    t.text('channel').notNullable();
    t.text('recipient').notNullable();
    t.text('content').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.text('external_id');
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('last_attempt_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    ALTER TABLE messages
      ADD CONSTRAINT messages_status_check CHECK (status IN ('pending', 'sent', 'failed')),
      ADD CONSTRAINT messages_channel_check CHECK (channel IN ('sms', 'whatsapp', 'leboncoin'));
    CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX messages_account_rate_idx ON messages (account_id, last_attempt_at);
    CREATE INDEX messages_lead_idx ON messages (lead_id);
  `);

  await knex.schema.createTable('contacted_ads', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.uuid('ad_id').notNullable().references('ads.id');
    t.uuid('hunt_id').notNullable().references('hunts.id');
    t.uuid('lead_id').notNullable().references('leads.id');
    t.uuid('message_id').notNullable().references('messages.id');
    t.text('channel').notNullable();
    t.timestamp('contacted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['account_id', 'ad_id'], { indexName: 'contacted_ads_account_id_ad_id_key' });
  });

  // Contacts per hunt per day, counted in the database so that several matcher instances share one quota.
  await knex.schema.createTable('hunt_daily_contacts', (t) => {
    t.uuid('hunt_id').notNullable().references('hunts.id');
    t.date('day').notNullable();
    t.integer('contacts').notNullable().defaultTo(0);
    t.primary(['hunt_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hunt_daily_contacts');
  await knex.schema.dropTable('contacted_ads');
  await knex.schema.dropTable('messages');
  await knex.schema.dropTable('leads');
  await knex.raw('DROP SEQUENCE leads_position_seq');
}
