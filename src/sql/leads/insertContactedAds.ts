import type { Trx } from '../../db/knex.js';

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
  const col = <K extends keyof ContactedAdRecord>(k: K) => rows.map((r) => r[k]);
  await trx.raw(
    `INSERT INTO contacted_ads (id, account_id, ad_id, hunt_id, lead_id, message_id, channel, contacted_at)
     SELECT c.id, c.account_id, c.ad_id, c.hunt_id, c.lead_id, c.message_id, c.channel, ?::timestamptz
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[]) AS c(id, account_id, ad_id, hunt_id, lead_id, message_id, channel)`,
    [now, col('id'), col('accountId'), col('adId'), col('huntId'), col('leadId'), col('messageId'), col('channel')],
  );
}
