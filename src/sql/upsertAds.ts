// Inserts or updates a batch of ads by (source, external_id) in one statement, and tells for each
// row whether it was new and what its match_hash was before.
import type { Trx } from '../db/knex.js';
import { AD_COLUMNS, recordsetColumns, type AdRecord, type AdRow } from './rows/adRow.js';

const NAMES = Object.keys(AD_COLUMNS);
const UPDATABLE = NAMES.filter((n) => !['id', 'source', 'external_id'].includes(n));

// `previous` reads the rows as they were before this statement (all CTEs share one snapshot),
// which is how a changed match_hash is told from an unchanged one.
const UPSERT_SQL = `
  WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${recordsetColumns(AD_COLUMNS)})),
  previous AS (
    SELECT a.source, a.external_id, a.match_hash FROM ads a JOIN input i ON a.source = i.source AND a.external_id = i.external_id
  ),
  upserted AS (
    INSERT INTO ads (${NAMES.join(', ')})
    SELECT ${NAMES.join(', ')} FROM input
    ON CONFLICT (source, external_id) DO UPDATE SET ${UPDATABLE.map((n) => `${n} = excluded.${n}`).join(', ')}, updated_at = now()
    RETURNING ads.*, (xmax = 0) AS inserted
  )
  SELECT u.*, p.match_hash AS previous_hash FROM upserted u LEFT JOIN previous p ON p.source = u.source AND p.external_id = u.external_id`;

export type UpsertedAd = AdRow & { inserted: boolean; match_hash: string; previous_hash: string | null };

/** `records` must not repeat a (source, external_id): PostgreSQL cannot update a row twice in one statement. */
export async function upsertAds(trx: Trx, records: AdRecord[]): Promise<UpsertedAd[]> {
  if (records.length === 0) return [];
  const { rows } = await trx.raw<{ rows: UpsertedAd[] }>(UPSERT_SQL, [JSON.stringify(records)]);
  return rows;
}
