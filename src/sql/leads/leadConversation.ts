// A lead's conversation: every message to its seller and every message from them, oldest first.
import type { Db } from '../../db/knex.js';

export interface ConversationEntry {
  direction: 'outbound' | 'inbound';
  id: string;
  channel: string | null;
  provider: string | null;
  text: string;
  /** Outbound: the message's status; inbound: what it was (reply, opt_out, opt_in). */
  status: string;
  deliveryStatus: string | null;
  lastError: string | null;
  from: string | null;
  to: string | null;
  /** When it was decided (outbound) or received (inbound): the order of the conversation. */
  at: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
}

/** The lead's account and its conversation; undefined when the lead does not exist. */
export async function loadLeadConversation(
  db: Db,
  leadId: string,
): Promise<{ accountId: string; entries: ConversationEntry[] } | undefined> {
  const lead = (await db('leads').where({ id: leadId }).first('account_id')) as { account_id: string } | undefined;
  if (!lead) return undefined;
  const { rows } = await db.raw<{
    rows: Array<
      Omit<ConversationEntry, 'at' | 'sentAt' | 'deliveredAt'> & {
        at: Date;
        sent_at: Date | null;
        delivered_at: Date | null;
        delivery_status: string | null;
        last_error: string | null;
      }
    >;
  }>(
    `SELECT 'outbound' AS direction, id, channel, provider, content AS text, status, delivery_status, last_error, sender AS "from", recipient AS "to", created_at AS at, sent_at, delivered_at
       FROM messages WHERE lead_id = :leadId
     UNION ALL
     SELECT 'inbound', id, CASE WHEN to_address LIKE 'whatsapp:%' THEN 'whatsapp' ELSE NULL END, provider, text, kind, NULL, NULL, from_phone, to_address, received_at, NULL, NULL
       FROM inbound_messages WHERE lead_id = :leadId
     ORDER BY at, direction DESC, id`,
    { leadId },
  );
  return {
    accountId: lead.account_id,
    entries: rows.map((r) => ({
      direction: r.direction,
      id: r.id,
      channel: r.channel,
      provider: r.provider,
      text: r.text,
      status: r.status,
      deliveryStatus: r.delivery_status,
      lastError: r.last_error,
      from: r.from,
      to: r.to,
      at: r.at,
      sentAt: r.sent_at,
      deliveredAt: r.delivered_at,
    })),
  };
}
