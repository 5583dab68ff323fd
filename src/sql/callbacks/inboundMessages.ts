// The inbound_messages table: what sellers sent us, one row per (provider, provider id).
import type { Db, Trx } from '../../db/knex.js';

export type InboundKind = 'reply' | 'opt_out' | 'opt_in';

export interface InboundRecord {
  id: string;
  provider: string;
  providerMessageId: string;
  kind: InboundKind;
  from: string;
  to: string | null;
  text: string;
  receivedAt: Date;
}

export interface InboundRow {
  id: string;
  provider: string;
  provider_message_id: string;
  kind: InboundKind;
  from_phone: string;
  to_address: string | null;
  text: string;
  received_at: Date;
  account_id: string | null;
  lead_id: string | null;
  message_id: string | null;
  created_at: Date;
}

/** Records an inbound message unless its provider reported it already: true when it is new. */
export async function insertInbound(trx: Trx, r: InboundRecord, now: Date): Promise<boolean> {
  const rows = (await trx('inbound_messages')
    .insert({
      id: r.id,
      provider: r.provider,
      provider_message_id: r.providerMessageId,
      kind: r.kind,
      from_phone: r.from,
      to_address: r.to,
      text: r.text,
      received_at: r.receivedAt,
      created_at: now,
    })
    .onConflict(['provider', 'provider_message_id'])
    .ignore()
    .returning('id')) as Array<{ id: string }>;
  return rows.length > 0;
}

/** The account, lead and message of ours an inbound message answers. */
export interface InboundOwner {
  accountId: string;
  leadId: string;
  messageId: string;
}

export async function attachInbound(trx: Trx, id: string, to: InboundOwner): Promise<void> {
  await trx('inbound_messages')
    .where({ id })
    .update({ account_id: to.accountId, lead_id: to.leadId, message_id: to.messageId });
}

/** Inbound messages no message of ours explains, newest first (for operators). */
export async function listUnmatchedInbound(db: Db, limit: number): Promise<InboundRow[]> {
  return (await db('inbound_messages')
    .whereNull('lead_id')
    .orderBy('received_at', 'desc')
    .limit(limit)) as InboundRow[];
}
