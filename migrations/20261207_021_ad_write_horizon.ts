import type { Knex } from 'knex';

// Every version of an ad that was (re)matched carries the xmin of the snapshot it was written under
// (`write_horizon`): every transaction below it had finished, so every hunt change committed before
// that write is in the continuous matcher's index when it matches this version (its index refresh
// follows the ad's commit). A backfill of a hunt change therefore needs only the ad versions whose
// horizon is not past the change's own transaction (hunts.change_xid): the others are the continuous
// matcher's. Without it, a backfill re-matched every ad that arrived after its hunt, while the
// continuous matcher matched the same ads, and the two waited on each other's uncommitted leads.
//
// Existing rows get 0: every backfill still reads them. The default applies to every insert; an
// update keeps the stamp unless the ad's matching fields changed (src/sql/ads/upsertAds.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE ads ADD COLUMN write_horizon xid8 NOT NULL DEFAULT '0';
    ALTER TABLE ads ALTER COLUMN write_horizon SET DEFAULT pg_snapshot_xmin(pg_current_snapshot());
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ads DROP COLUMN write_horizon');
}
