import type { Knex } from 'knex';

// What the retention job (src/db/retention.ts) reads, by index, a batch at a time:
// - the oldest ads first, keyset-paged on (scraped_at, id), which also serves the backfill's own paging
//   (src/sql/streamAds.ts): it replaces the index on scraped_at alone, so ads keep the same number of indexes;
// - whether a lead, a contacted ad or a message refers to an ad (their unique keys start with the account);
// - the old pacing counters (their key starts with the hunt).
// Plain CREATE INDEX, as 011 and 022: it holds off writes to these tables while it builds.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX ads_scraped_at_id_idx ON ads (scraped_at, id);
    DROP INDEX ads_scraped_at_idx;
    CREATE INDEX leads_ad_idx ON leads (ad_id);
    CREATE INDEX contacted_ads_ad_idx ON contacted_ads (ad_id);
    CREATE INDEX messages_ad_idx ON messages (ad_id);
    CREATE INDEX hunt_daily_contacts_day_idx ON hunt_daily_contacts (day);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX ads_scraped_at_idx ON ads (scraped_at);
    DROP INDEX ads_scraped_at_id_idx;
    DROP INDEX leads_ad_idx;
    DROP INDEX contacted_ads_ad_idx;
    DROP INDEX messages_ad_idx;
    DROP INDEX hunt_daily_contacts_day_idx;
  `);
}
