import type { Db } from '../../db/knex.js';

export interface ProviderFigures {
  provider: string;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  retrying: number;
}

/** Per provider, what became of the messages decided in the last `hours`: sent, delivered, undelivered, failed, waiting for a retry. */
export async function providerFigures(db: Db, hours: number, now: Date): Promise<ProviderFigures[]> {
  const { rows } = await db.raw<{ rows: Array<Record<keyof ProviderFigures, string>> }>(
    `SELECT provider,
            count(*) FILTER (WHERE status = 'sent') AS sent,
            count(*) FILTER (WHERE delivery_status = 'delivered') AS delivered,
            count(*) FILTER (WHERE delivery_status = 'undelivered') AS undelivered,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE status = 'pending') AS retrying
       FROM messages
      WHERE provider IS NOT NULL AND created_at > ?::timestamptz - make_interval(hours => ?)
      GROUP BY provider ORDER BY provider`,
    [now, hours],
  );
  return rows.map((r) => ({
    provider: r.provider,
    sent: Number(r.sent),
    delivered: Number(r.delivered),
    undelivered: Number(r.undelivered),
    failed: Number(r.failed),
    retrying: Number(r.retrying),
  }));
}
