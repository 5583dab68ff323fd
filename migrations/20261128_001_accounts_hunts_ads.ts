import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable().defaultTo('');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('hunts', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id');
    t.text('name').notNullable().defaultTo('');
    t.text('ad_type').notNullable();
    t.specificType('sub_types', 'text[]').notNullable().defaultTo('{}');
    t.specificType('brands', 'text[]').notNullable().defaultTo('{}');
    t.text('location_label').notNullable();
    t.text('zipcode').notNullable();
    t.double('lat').notNullable();
    t.double('lng').notNullable();
    t.integer('radius_km').notNullable();
    t.integer('price_min');
    t.integer('price_max');
    t.integer('model_year_min');
    t.integer('model_year_max');
    t.integer('mileage_min');
    t.integer('mileage_max');
    t.specificType('owner_types', 'text[]').notNullable().defaultTo('{}');
    t.specificType('keywords', 'text[]').notNullable().defaultTo('{}');
    t.specificType('excluded_keywords', 'text[]').notNullable().defaultTo('{}');
    t.boolean('is_urgent').notNullable().defaultTo(false);
    t.boolean('has_been_reposted').notNullable().defaultTo(false);
    t.boolean('price_has_dropped').notNullable().defaultTo(false);
    t.boolean('has_been_boosted').notNullable().defaultTo(false);
    t.boolean('is_low_price').notNullable().defaultTo(false);
    t.text('status').notNullable().defaultTo('active');
    t.boolean('auto_refresh').notNullable().defaultTo(true);
    t.text('outreach_channel');
    t.text('outreach_template');
    t.integer('daily_pacing_limit');
    t.timestamp('last_scan_at', { useTz: true });
    t.text('last_tick_id');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`
    ALTER TABLE hunts
      ADD CONSTRAINT hunts_status_check CHECK (status IN ('active', 'paused')),
      ADD CONSTRAINT hunts_radius_check CHECK (radius_km >= 0),
      ADD CONSTRAINT hunts_lat_check CHECK (lat BETWEEN -90 AND 90),
      ADD CONSTRAINT hunts_lng_check CHECK (lng BETWEEN -180 AND 180),
      ADD CONSTRAINT hunts_price_range_check CHECK (price_min IS NULL OR price_max IS NULL OR price_min <= price_max),
      ADD CONSTRAINT hunts_year_range_check CHECK (model_year_min IS NULL OR model_year_max IS NULL OR model_year_min <= model_year_max),
      ADD CONSTRAINT hunts_mileage_range_check CHECK (mileage_min IS NULL OR mileage_max IS NULL OR mileage_min <= mileage_max),
      ADD CONSTRAINT hunts_owner_types_check CHECK (owner_types <@ ARRAY['private', 'pro']::text[]),
      ADD CONSTRAINT hunts_outreach_check CHECK ((outreach_channel IS NULL) = (outreach_template IS NULL)),
      ADD CONSTRAINT hunts_outreach_channel_check CHECK (outreach_channel IN ('sms', 'whatsapp', 'leboncoin')),
      ADD CONSTRAINT hunts_pacing_check CHECK (daily_pacing_limit IS NULL OR daily_pacing_limit >= 0);
    CREATE INDEX hunts_account_idx ON hunts (account_id, created_at) WHERE deleted_at IS NULL;
    CREATE INDEX hunts_active_idx ON hunts (created_at, id) WHERE deleted_at IS NULL AND status = 'active';
    -- The matcher reads the hunts changed since its last look before every batch of ads.
    CREATE INDEX hunts_updated_at_idx ON hunts (updated_at);
  `);

  await knex.schema.createTable('ads', (t) => {
    t.uuid('id').primary();
    t.text('source').notNullable();
    t.text('external_id').notNullable();
    t.text('url');
    t.text('title').notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.integer('price');
    t.text('ad_type').notNullable();
    t.text('sub_type');
    t.text('brand');
    t.text('model');
    t.integer('model_year');
    t.integer('mileage_km');
    t.text('fuel');
    t.text('gearbox');
    t.text('zipcode');
    t.text('city');
    t.text('department');
    t.double('lat');
    t.double('lng');
    t.text('owner_name');
    t.text('owner_type');
    t.text('phone');
    t.boolean('accept_salesmen').notNullable().defaultTo(true);
    t.boolean('is_urgent').notNullable().defaultTo(false);
    t.boolean('has_been_reposted').notNullable().defaultTo(false);
    t.boolean('price_has_dropped').notNullable().defaultTo(false);
    t.boolean('has_been_boosted').notNullable().defaultTo(false);
    t.boolean('is_low_price').notNullable().defaultTo(false);
    t.specificType('pictures', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('first_published_at', { useTz: true });
    t.timestamp('last_published_at', { useTz: true });
    t.timestamp('scraped_at', { useTz: true }).notNullable();
    // A digest of the fields matching depends on: a re-scrape that changes none of them is no event.
    t.text('match_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['source', 'external_id'], { indexName: 'ads_source_external_id_key' });
  });
  await knex.raw(`
    ALTER TABLE ads
      ADD CONSTRAINT ads_price_check CHECK (price IS NULL OR price >= 0),
      ADD CONSTRAINT ads_owner_type_check CHECK (owner_type IS NULL OR owner_type IN ('private', 'pro')),
      ADD CONSTRAINT ads_lat_check CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
      ADD CONSTRAINT ads_lng_check CHECK (lng IS NULL OR lng BETWEEN -180 AND 180);
    CREATE INDEX ads_scraped_at_idx ON ads (scraped_at);
    CREATE INDEX ads_type_scraped_at_idx ON ads (ad_type, scraped_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ads');
  await knex.schema.dropTable('hunts');
  await knex.schema.dropTable('accounts');
}
