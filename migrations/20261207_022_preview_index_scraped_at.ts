import type { Knex } from 'knex';

// The hunt preview reads the backfill's window, the ads scraped in the last days (an ad without a first
// publication date, or published long before it was scraped, is in it by its scrape), no longer the
// ads first published in them. Its two indexes end with the column of the window, so that the window
// is checked on index entries and only the rows inside are fetched (migration 011): scraped_at now.
// Plain CREATE INDEX, as 011: it holds off writes to ads while it builds (seconds for a few million ads).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX ads_type_brand_box_scraped_idx ON ads (ad_type, brand, lat, lng, scraped_at);
    CREATE INDEX ads_type_zipcode_scraped_idx ON ads (ad_type, zipcode, scraped_at);
    DROP INDEX ads_type_brand_box_idx;
    DROP INDEX ads_type_zipcode_published_idx;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX ads_type_brand_box_idx ON ads (ad_type, brand, lat, lng, first_published_at);
    CREATE INDEX ads_type_zipcode_published_idx ON ads (ad_type, zipcode, first_published_at);
    DROP INDEX ads_type_brand_box_scraped_idx;
    DROP INDEX ads_type_zipcode_scraped_idx;
  `);
}
