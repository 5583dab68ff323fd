// Rows of the service's tables as the integration tests read them back, and the waits for them.
import type { Db } from '../src/db/knex.js';
import { waitFor } from './waitFor.js';

/** Every table of the service's schema, as the migrations make it. */
export const TABLES = [
  'accounts',
  'hunts',
  'ads',
  'leads',
  'contacted_ads',
  'messages',
  'outbox',
  'inbox',
  'hunt_daily_contacts',
  'lobstr_runs',
  'lobstr_squids',
  'lobstr_rate_budgets',
  'ticks',
  'api_keys',
  'seller_contacts',
  'optouts',
  'account_sender_numbers',
  'inbound_messages',
  'sending_holds',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
  'webhook_lead_marks',
];

/** A row of leads, the columns the tests look at. */
export interface LeadRow {
  id: string;
  account_id: string;
  ad_id: string;
  hunt_id: string;
  stage: string;
  reason: string | null;
}

/** A row of messages, the columns the tests look at. */
export interface StoredMessage {
  id: string;
  status: string;
  attempts: number;
  external_id: string | null;
  last_error: string | null;
  lead_id: string;
  provider: string | null;
  sender?: string | null;
  delivery_status: string | null;
  delivery_error: string | null;
  content: string;
}

/** The account's first message, once the sender has decided one. */
export const messageOf = (db: Db, accountId: string) =>
  waitFor(() => db('messages').where({ account_id: accountId }).first<StoredMessage>(), { message: 'message decided' });

/** The account's first message, once its status is `status`. */
export const settledMessage = (db: Db, accountId: string, status: 'sent' | 'failed') =>
  waitFor(
    async () => {
      const m = await db('messages').where({ account_id: accountId }).first<StoredMessage>();
      return m?.status === status ? m : undefined;
    },
    { message: `message ${status}` },
  );
