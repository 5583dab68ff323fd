// Migrations are imported statically, so the same list runs under tsx, vitest and the built dist/.
import type { Knex } from 'knex';
import * as m001 from './20261128_001_accounts_hunts_ads.js';
import * as m002 from './20261128_002_leads_contacts_messages.js';
import * as m003 from './20261128_003_outbox_inbox.js';
import * as m004 from './20261128_004_importer_scheduler.js';
import * as m005 from './20261129_005_message_chain.js';
import * as m006 from './20261201_006_hot_path_foreign_keys.js';
import * as m007 from './20261201_007_lobstr_run_retries.js';
import * as m008 from './20261201_008_api_keys.js';
import * as m009 from './20261201_009_sellers_optouts.js';
import * as m010 from './20261201_010_contact_hours_receipts.js';
import * as m011 from './20261201_011_preview_index.js';
import * as m012 from './20261202_012_providers_sender_identity.js';
import * as m013 from './20261202_013_seller_replies.js';
import * as m014 from './20261202_014_lobstr_reconcile_budget.js';
import * as m016 from './20261202_016_hunt_change_stamp.js';
import * as m018 from './20261202_018_hunt_criteria_changed.js';
import * as m019 from './20261203_019_one_recipient_index.js';
import * as m020 from './20261207_020_account_active_hunts_index.js';
import * as m021 from './20261207_021_ad_write_horizon.js';
import * as m022 from './20261207_022_preview_index_scraped_at.js';
import * as m023 from './20261207_023_last_mile.js';
import * as m041 from './20261208_041_webhooks.js';
import * as m042 from './20261208_042_retention_indexes.js';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '20261128_001_accounts_hunts_ads', ...m001 },
  { name: '20261128_002_leads_contacts_messages', ...m002 },
  { name: '20261128_003_outbox_inbox', ...m003 },
  { name: '20261128_004_importer_scheduler', ...m004 },
  { name: '20261129_005_message_chain', ...m005 },
  { name: '20261201_006_hot_path_foreign_keys', ...m006 },
  { name: '20261201_007_lobstr_run_retries', ...m007 },
  { name: '20261201_008_api_keys', ...m008 },
  { name: '20261201_009_sellers_optouts', ...m009 },
  { name: '20261201_010_contact_hours_receipts', ...m010 },
  { name: '20261201_011_preview_index', ...m011 },
  { name: '20261202_012_providers_sender_identity', ...m012 },
  { name: '20261202_013_seller_replies', ...m013 },
  { name: '20261202_014_lobstr_reconcile_budget', ...m014 },
  { name: '20261202_016_hunt_change_stamp', ...m016 },
  { name: '20261202_018_hunt_criteria_changed', ...m018 },
  { name: '20261203_019_one_recipient_index', ...m019 },
  { name: '20261207_020_account_active_hunts_index', ...m020 },
  { name: '20261207_021_ad_write_horizon', ...m021 },
  { name: '20261207_022_preview_index_scraped_at', ...m022 },
  { name: '20261207_023_last_mile', ...m023 },
  { name: '20261208_041_webhooks', ...m041 },
  { name: '20261208_042_retention_indexes', ...m042 },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: () => Promise.resolve(migrations),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m),
};
