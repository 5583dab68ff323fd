import type { Trx } from '../db/knex.js';

export interface MessageRecord {
  id: string;
  accountId: string;
  leadId: string;
  huntId: string;
  adId: string;
  channel: string;
  recipient: string;
  content: string;
  /** The SendMessage that commands it, and its chain's correlation id. */
  commandEventId: string;
  correlationId: string;
  nextAttemptAt: Date;
}

/** New messages, pending. */
export async function insertMessages(trx: Trx, messages: MessageRecord[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  await trx('messages').insert(
    messages.map((m) => ({
      id: m.id,
      account_id: m.accountId,
      lead_id: m.leadId,
      hunt_id: m.huntId,
      ad_id: m.adId,
      channel: m.channel,
      recipient: m.recipient,
      content: m.content,
      status: 'pending',
      command_event_id: m.commandEventId,
      correlation_id: m.correlationId,
      next_attempt_at: m.nextAttemptAt,
      created_at: now,
      updated_at: now,
    })),
  );
}
