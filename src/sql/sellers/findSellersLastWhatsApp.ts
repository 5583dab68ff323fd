import type { Trx } from '../../db/knex.js';

/**
 * When each phone last wrote to one of our WhatsApp numbers, since `since`: WhatsApp takes free text
 * from a business only within the 24 hours after the person's last message.
 */
export async function findSellersLastWhatsApp(trx: Trx, phones: string[], since: Date): Promise<Map<string, Date>> {
  if (phones.length === 0) return new Map();
  const { rows } = await trx.raw<{ rows: Array<{ from_phone: string; at: Date }> }>(
    `SELECT from_phone, max(received_at) AS at FROM inbound_messages
      WHERE from_phone = ANY(?::text[]) AND to_address LIKE 'whatsapp:%' AND received_at >= ?::timestamptz
      GROUP BY from_phone`,
    [[...new Set(phones)], since],
  );
  return new Map(rows.map((r) => [r.from_phone, r.at]));
}
