import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Committed events waiting for the relay. A row is deleted once the broker acknowledged it,
  // so the table holds only the backlog and the relay's query stays a short index scan.
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id').primary();
    t.smallint('shard').notNullable();
    t.text('topic').notNullable();
    t.text('key').notNullable();
    t.uuid('event_id').notNullable();
    t.text('event_type').notNullable();
    t.jsonb('headers').notNullable();
    t.binary('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
  });
  await knex.raw(`
    -- No index on shard: the relay reads in id order (the primary key) and filters its shards;
    -- one index fewer to maintain on the hottest insert path.
    -- Wakes the relay within milliseconds of a commit; NOTIFY is delivered only on commit and
    -- folded to one per transaction, so a batch of a thousand events costs one notification.
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('outbox', '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
    ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000);
  `);

  // Event ids each consumer group has applied, written in the same transaction as the effects.
  await knex.schema.createTable('inbox', (t) => {
    t.text('consumer').notNullable();
    t.uuid('event_id').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['consumer', 'event_id']);
  });
  await knex.raw('CREATE INDEX inbox_processed_at_idx ON inbox (processed_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox');
  await knex.raw('DROP TRIGGER outbox_notify ON outbox');
  await knex.schema.dropTable('outbox');
  await knex.raw('DROP FUNCTION outbox_notify()');
}
