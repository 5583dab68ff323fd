import type { Db, Trx } from '../../db/knex.js';

/**
 * Every distinct brand, as written, of the ads of one type (a few dozen), by a loose index scan on
 * ads_type_brand_box_scraped_idx: one index probe per brand, not a read of every ad.
 */
export async function selectAdBrands(db: Db | Trx, adType: string): Promise<string[]> {
  const { rows } = await db.raw<{ rows: Array<{ brand: string }> }>(
    `WITH RECURSIVE b AS (
       (SELECT brand FROM ads WHERE ad_type = :adType AND brand IS NOT NULL ORDER BY brand LIMIT 1)
       UNION ALL
       SELECT (SELECT a.brand FROM ads a WHERE a.ad_type = :adType AND a.brand > b.brand ORDER BY a.brand LIMIT 1) FROM b WHERE b.brand IS NOT NULL
     )
     SELECT brand FROM b WHERE brand IS NOT NULL`,
    { adType },
  );
  return rows.map((r) => r.brand);
}
