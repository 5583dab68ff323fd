import type { Knex } from 'knex';

// messages had two indexes on recipient: messages_pending_recipient_idx (recipient) WHERE pending, for an
// opt-out's cancellation of the phone's pending messages, and messages_recipient_created_idx
// (recipient, created_at DESC), for joining a seller's reply to the message it answers. The second
// serves the first's query as well (its leading column is the recipient, and a phone has a handful of
// messages), so the first only cost: every message's insert, lease and settle wrote an entry into it
// (none of the three is a HOT update: each changes an indexed column).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS messages_pending_recipient_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX messages_pending_recipient_idx ON messages (recipient) WHERE status = 'pending'`);
}
