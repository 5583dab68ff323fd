import type { Knex } from 'knex';

// Webhook subscriptions of the accounts (Standard Webhooks) and their deliveries.
//
// webhook_endpoints: one row per subscription; `secret` is the signing key (`whsec_...`): it must be
// kept to sign (an HMAC key cannot be stored hashed). After a rotation the previous one still signs
// until `previous_secret_until`. `failing_since` is the first failed attempt since the last success;
// an endpoint failing for WEBHOOK_DISABLE_AFTER is disabled (`enabled` false, `disabled_reason`). Its
// last attempt's answer is kept on it for the operators' console.
//
// webhook_deliveries: one row per event and endpoint (unique: a redelivered event is one delivery),
// with its JSON body fixed once (every attempt sends the same bytes), a due time and a lease, as the
// sender's messages have. Attempts of one endpoint about one lead go in order: a delivery waits while
// an earlier one of the same (endpoint, lead) is pending (`rank` puts lead.created first), and, for a
// recent lead whose lead.created the deliverer has not read yet, until it has (`awaits_lead_until`,
// a bound in case it never comes; `webhook_lead_marks` says which leads it has read).
//
// webhook_attempts: every attempt, its answer or its error.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
      url text NOT NULL,
      description text NOT NULL DEFAULT '',
      events text[] NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      secret text NOT NULL,
      previous_secret text,
      previous_secret_until timestamptz,
      failing_since timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      disabled_at timestamptz,
      disabled_reason text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX webhook_endpoints_account_idx ON webhook_endpoints (account_id);
    CREATE INDEX webhook_endpoints_failing_idx ON webhook_endpoints (failing_since)
      WHERE failing_since IS NOT NULL OR disabled_reason IS NOT NULL;

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      account_id uuid NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      lead_id uuid NOT NULL,
      rank smallint NOT NULL,
      occurred_at timestamptz NOT NULL,
      payload text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      schedule_step integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      locked_until timestamptz,
      awaits_lead_until timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      UNIQUE (endpoint_id, event_id)
    );
    CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_lead_idx ON webhook_deliveries (endpoint_id, lead_id) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_awaiting_idx ON webhook_deliveries (lead_id) WHERE awaits_lead_until IS NOT NULL;
    CREATE INDEX webhook_deliveries_listing_idx ON webhook_deliveries (endpoint_id, seq DESC);

    CREATE TABLE webhook_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
      attempted_at timestamptz NOT NULL,
      status_code integer,
      error text,
      duration_ms integer NOT NULL
    );
    CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

    CREATE TABLE webhook_lead_marks (
      lead_id uuid PRIMARY KEY,
      marked_at timestamptz NOT NULL
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE webhook_lead_marks;
    DROP TABLE webhook_attempts;
    DROP TABLE webhook_deliveries;
    DROP TABLE webhook_endpoints;
  `);
}
