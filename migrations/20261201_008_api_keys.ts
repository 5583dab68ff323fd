import type { Knex } from 'knex';

// Account-scoped API keys: a key reaches only its account's hunts, leads and previews. Only a hash of
// each key is stored (keys are 32 random bytes: a plain SHA-256 is enough, no slow KDF is needed).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.text('prefix').notNullable();
    t.binary('key_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX api_keys_account_idx ON api_keys (account_id, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_keys');
}
