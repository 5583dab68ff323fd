import type { Knex } from 'knex';

// The matcher inserts thousands of leads, messages and contacted ads per second, from several
// transactions at once, and a foreign-key check costs each of those rows a query and a row lock on
// the referenced row. Measured under load (benchmark D', pg_stat_statements): inserts at 3 ms per row
// instead of 30 us. Two reasons: concurrent transactions share-locking the same popular hunt and
// account rows (MultiXacts, WAL records for each lock), and the checks' cached plans, made in each
// pooled session while leads and messages were still empty, scanning those tables sequentially for
// as long as the session lives when nothing analyzes them (384 million tuples read in one 5-minute run).
// None of these references needs the database to enforce it: accounts, hunts and ads are never
// deleted (hunts are soft-deleted), leads are never deleted, and the one writer of these rows writes a
// lead, its message and its contacted ad together in one transaction, with ids it has just read.
const DROPPED: Array<[table: string, column: string, references: string]> = [
  ['leads', 'account_id', 'accounts.id'],
  ['leads', 'ad_id', 'ads.id'],
  ['leads', 'hunt_id', 'hunts.id'],
  ['messages', 'account_id', 'accounts.id'],
  ['messages', 'hunt_id', 'hunts.id'],
  ['messages', 'ad_id', 'ads.id'],
  ['contacted_ads', 'account_id', 'accounts.id'],
  ['contacted_ads', 'ad_id', 'ads.id'],
  ['contacted_ads', 'hunt_id', 'hunts.id'],
  ['hunt_daily_contacts', 'hunt_id', 'hunts.id'],
  ['messages', 'lead_id', 'leads.id'],
  ['contacted_ads', 'lead_id', 'leads.id'],
  ['contacted_ads', 'message_id', 'messages.id'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of DROPPED) {
    await knex.schema.alterTable(table, (t) => t.dropForeign([column]));
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column, references] of DROPPED) {
    await knex.schema.alterTable(table, (t) => t.foreign(column).references(references));
  }
}
