import type { Knex } from 'knex';

// The hunt preview (POST /v1/hunts/preview) reads the ads of one type first published in the last days
// inside a hunt's bounding box, or in its zipcode for radius 0, and nearly every hunt names its brands.
// Without these, each preview scans the whole ads table (200,000 ads of a month: 65-140 ms of
// sequential scan alone, measured in bench scenario P). With them: the hunt's brands (as written in
// the ads, found by a loose scan of the first index: src/sql/ads/selectAdBrands.ts) and the box's latitude
// band are read from the index, the longitude and the window checked on index entries, and only the
// rows inside are fetched (16 ms instead of 142 for an Audi hunt around Paris). Plain CREATE INDEX: it
// holds off writes to ads while it builds (seconds for a few million ads).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX ads_type_brand_box_idx ON ads (ad_type, brand, lat, lng, first_published_at);
    CREATE INDEX ads_type_zipcode_published_idx ON ads (ad_type, zipcode, first_published_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX ads_type_brand_box_idx; DROP INDEX ads_type_zipcode_published_idx');
}
