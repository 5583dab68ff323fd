import type { Knex } from 'knex';

// Sellers (docs/ARCHITECTURE.md section 1): an account messages one phone at most once per CONTACT_COOLDOWN_DAYS,
// whatever the ad; an opted-out phone is never messaged again by any account.
//  - seller_contacts: one row per (account, phone), the account's last contact of that seller. The
//    matcher claims it in its write transaction (src/sql/sellers/claimSellers.ts): the unique key is what makes
//    two concurrent batches with ads of one seller serialise, the second seeing the first's contact.
//  - optouts: one row per phone (E.164), from a STOP received by the gateway ('inbound') or by hand ('api').
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('seller_contacts', (t) => {
    t.uuid('account_id').notNullable().references('accounts.id');
    t.text('phone').notNullable();
    t.uuid('message_id').notNullable();
    t.timestamp('contacted_at', { useTz: true }).notNullable();
    t.primary(['account_id', 'phone'], { constraintName: 'seller_contacts_account_id_phone_key' });
  });
  // Sellers already messaged before this migration count too: the last message per (account, recipient).
  await knex.raw(`
    INSERT INTO seller_contacts (account_id, phone, message_id, contacted_at)
    SELECT DISTINCT ON (m.account_id, a.phone) m.account_id, a.phone, m.id, m.created_at
      FROM messages m JOIN ads a ON a.id = m.ad_id
     WHERE a.phone IS NOT NULL AND m.status <> 'failed'
     ORDER BY m.account_id, a.phone, m.created_at DESC
  `);

  await knex.schema.createTable('optouts', (t) => {
    t.text('phone').primary();
    t.text('source').notNullable();
    t.text('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    ALTER TABLE optouts ADD CONSTRAINT optouts_source_check CHECK (source IN ('inbound', 'api'));
    CREATE INDEX messages_pending_recipient_idx ON messages (recipient) WHERE status = 'pending';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX messages_pending_recipient_idx');
  await knex.schema.dropTable('optouts');
  await knex.schema.dropTable('seller_contacts');
}
