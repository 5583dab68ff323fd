import type { Trx } from '../../db/knex.js';
import { unnestColumns } from '../../db/unnestColumns.js';

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
  /** WhatsApp: the approved template and its rendered variables (null: content is sent). */
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  /** False when content only summarises the template. */
  contentIsText: boolean;
  /** WhatsApp with an SMS fallback: the SMS its seller gets if WhatsApp cannot reach them. */
  fallbackContent: string | null;
}

/** New messages, pending (one array parameter per column: one statement shape whatever the count). */
export async function insertMessages(trx: Trx, messages: MessageRecord[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  await trx.raw(
    `INSERT INTO messages (id, account_id, lead_id, hunt_id, ad_id, channel, recipient, content, status, command_event_id, correlation_id, next_attempt_at,
                           content_sid, content_variables, content_is_text, fallback_content, created_at, updated_at)
     SELECT m.id, m.account_id, m.lead_id, m.hunt_id, m.ad_id, m.channel, m.recipient, m.content, 'pending', m.command_event_id, m.correlation_id, m.next_attempt_at,
            m.content_sid, m.content_variables, m.content_is_text, m.fallback_content, ?::timestamptz, ?::timestamptz
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::uuid[], ?::timestamptz[],
                   ?::text[], ?::jsonb[], ?::boolean[], ?::text[])
         AS m(id, account_id, lead_id, hunt_id, ad_id, channel, recipient, content, command_event_id, correlation_id, next_attempt_at,
              content_sid, content_variables, content_is_text, fallback_content)`,
    [
      now,
      now,
      ...unnestColumns(messages, [
        'id',
        'accountId',
        'leadId',
        'huntId',
        'adId',
        'channel',
        'recipient',
        'content',
        'commandEventId',
        'correlationId',
        'nextAttemptAt',
        'contentSid',
      ]),
      messages.map((m) => (m.contentVariables ? JSON.stringify(m.contentVariables) : null)) as string[],
      ...unnestColumns(messages, ['contentIsText', 'fallbackContent']),
    ],
  );
}
