import type { Trx } from '../db/knex.js';

export interface ContactedAdRecord {
  id: string;
  accountId: string;
  adId: string;
  huntId: string;
  leadId: string;
  messageId: string;
  channel: string;
}

/** At most one per (account, ad), ever: the unique key makes a second contact fail the transaction. */
export async function insertContactedAds(trx: Trx, rows: ContactedAdRecord[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await trx('contacted_ads').insert(
    rows.map((r) => ({ id: r.id, account_id: r.accountId, ad_id: r.adId, hunt_id: r.huntId, lead_id: r.leadId, message_id: r.messageId, channel: r.channel, contacted_at: now })),
  );
}
