// Inserts or updates a batch of ads by (source, external_id) in one statement, and tells for each
// row its id (an existing ad keeps its own), whether it was new, and whether its match_hash changed.
import type { Trx } from '../../db/knex.js';
import type { Ad } from '../../domain/types.js';
import { AD_COLUMNS, recordsetColumns, rowFromAd } from './adRow.js';

const NAMES = Object.keys(AD_COLUMNS);
const UPDATABLE = NAMES.filter((n) => !['id', 'source', 'external_id'].includes(n));

// `previous` reads the rows as they were before this statement (all CTEs share one snapshot),
// which is how a changed match_hash is told from an unchanged one. A version that will be matched
// again (new, or its match_hash changed) gets this statement's write_horizon (the column's default,
// migration 021); an unchanged one keeps its own, since no AdScraped follows it.
const UPSERT_SQL = `
  WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(${recordsetColumns(AD_COLUMNS)})),
  previous AS (
    SELECT a.source, a.external_id, a.match_hash FROM ads a JOIN input i ON a.source = i.source AND a.external_id = i.external_id
  ),
  upserted AS (
    INSERT INTO ads (${NAMES.join(', ')})
    SELECT ${NAMES.join(', ')} FROM input
    ON CONFLICT (source, external_id) DO UPDATE SET ${UPDATABLE.map((n) => `${n} = excluded.${n}`).join(', ')}, updated_at = now(),
      write_horizon = CASE WHEN ads.match_hash = excluded.match_hash THEN ads.write_horizon ELSE excluded.write_horizon END
    RETURNING ads.id, ads.source, ads.external_id, ads.match_hash, (xmax = 0) AS inserted
  )
  SELECT u.*, p.match_hash AS previous_hash FROM upserted u LEFT JOIN previous p ON p.source = u.source AND p.external_id = u.external_id`;

export interface UpsertedAd {
  id: string;
  source: string;
  external_id: string;
  inserted: boolean;
  match_hash: string;
  /** Null when the ad is new, or when a concurrent batch inserted it first. */
  previous_hash: string | null;
}

/**
 * `ads` must not repeat a (source, externalId): PostgreSQL cannot update a row twice in one statement.
 * Each ad's adId is the id it gets if it is new.
 */
export async function upsertAds(trx: Trx, ads: Ad[]): Promise<UpsertedAd[]> {
  if (ads.length === 0) return [];
  const { rows } = await trx.raw<{ rows: UpsertedAd[] }>(UPSERT_SQL, [JSON.stringify(ads.map(rowFromAd))]);
  return rows;
}
