import type pg from 'pg';

export interface AdsCursor {
  scrapedAt: Date;
  id: string;
}

export interface AdsBatch {
  /** Ads of the batch looked at (at most `limit`): fewer than `limit` means the pass reached the cutoff. */
  examined: number;
  deleted: number;
  /** Where the next batch starts; undefined when nothing was examined. */
  next: AdsCursor | undefined;
}

// One batch: the next `limit` ads last scraped before the cutoff, in (scraped_at, id) order after the
// cursor (ads_scraped_at_id_idx, so a batch never reads more than `limit` index entries of ads), of which
// those no lead, contacted ad or message refers to are deleted (each checked by its ad_id index). The
// referenced ones are stepped over by the cursor, so a pass reads each old ad once.
// The DELETE repeats the cutoff: an ad scraped again meanwhile (src/sql/upsertAds.ts moves its
// scraped_at) is checked again on its new version, and kept.
const SQL = `
  WITH batch AS (
    SELECT id, scraped_at FROM ads
     WHERE scraped_at < $1 AND ($2::timestamptz IS NULL OR (scraped_at, id) > ($2, $3::uuid))
     ORDER BY scraped_at, id
     LIMIT $4
  ),
  unreferenced AS (
    SELECT b.id FROM batch b
     WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.ad_id = b.id)
       AND NOT EXISTS (SELECT 1 FROM contacted_ads c WHERE c.ad_id = b.id)
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ad_id = b.id)
  ),
  deleted AS (
    DELETE FROM ads a USING unreferenced u WHERE a.id = u.id AND a.scraped_at < $1 RETURNING a.id
  ),
  last AS (SELECT scraped_at, id FROM batch ORDER BY scraped_at DESC, id DESC LIMIT 1)
  SELECT (SELECT count(*) FROM batch)::int AS examined, (SELECT count(*) FROM deleted)::int AS deleted,
         (SELECT scraped_at FROM last) AS last_scraped_at, (SELECT id FROM last) AS last_id`;

/** Deletes the unreferenced ads of the next batch older than `before`; see SQL above. */
export async function deleteUnreferencedAds(
  client: pg.Client,
  before: Date,
  after: AdsCursor | undefined,
  limit: number,
): Promise<AdsBatch> {
  const { rows } = await client.query<{
    examined: number;
    deleted: number;
    last_scraped_at: Date | null;
    last_id: string | null;
  }>(SQL, [before, after?.scrapedAt ?? null, after?.id ?? null, limit]);
  const r = rows[0]!;
  return {
    examined: r.examined,
    deleted: r.deleted,
    next: r.last_scraped_at && r.last_id ? { scrapedAt: r.last_scraped_at, id: r.last_id } : undefined,
  };
}
