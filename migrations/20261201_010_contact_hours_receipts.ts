import type { Knex } from 'knex';

// Contact hours per hunt (null: any time; hunts that exist keep sending at any time) and delivery
// receipts per message (set by the gateway's status callbacks, POST /v1/gateway/webhook/:secret).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('hunts', (t) => {
    t.jsonb('contact_hours');
  });
  await knex.schema.alterTable('messages', (t) => {
    t.text('delivery_status');
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE messages ADD CONSTRAINT messages_delivery_status_check CHECK (delivery_status IN ('delivered', 'undelivered'));
    CREATE INDEX messages_external_id_idx ON messages (external_id) WHERE external_id IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX messages_external_id_idx');
  await knex.schema.alterTable('messages', (t) => {
    t.dropChecks(['messages_delivery_status_check']);
    t.dropColumn('delivery_status');
    t.dropColumn('delivered_at');
  });
  await knex.schema.alterTable('hunts', (t) => {
    t.dropColumn('contact_hours');
  });
}
