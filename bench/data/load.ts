// Writes generated hunts and ads straight into a database (multi-row statements, no HTTP, no events),
// so that setting up 200,000 ads takes seconds. Rows have the shape the service writes: the column
// lists and row mappings are the service's own (src/sql/ads/adRow.ts, src/sql/hunts/huntRow.ts).
import type { Db } from '../../src/db/knex.js';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { AD_COLUMNS, recordsetColumns, rowFromAd } from '../../src/sql/ads/adRow.js';
import { HUNT_COLUMNS, rowFromHunt } from '../../src/sql/hunts/huntRow.js';

const CHUNK = 5000;

async function insertJson(db: Db, table: string, columns: Record<string, string>, rows: object[]) {
  const names = Object.keys(columns).join(', ');
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db.raw(
      `INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS x(${recordsetColumns(columns)})`,
      [JSON.stringify(rows.slice(i, i + CHUNK))],
    );
  }
}

export async function insertAccounts(db: Db, ids: string[]) {
  await insertJson(
    db,
    'accounts',
    { id: 'uuid', name: 'text' },
    ids.map((id, i) => ({ id, name: `Compte ${i + 1}` })),
  );
}

export async function insertHunts(db: Db, hunts: Hunt[]) {
  await insertJson(db, 'hunts', HUNT_COLUMNS, hunts.map(rowFromHunt));
}

export async function insertAds(db: Db, ads: Ad[]) {
  await insertJson(
    db,
    'ads',
    { ...AD_COLUMNS, created_at: 'timestamptz', updated_at: 'timestamptz' },
    ads.map((a) => {
      const scraped = new Date(a.scrapedAt).toISOString();
      return { ...rowFromAd(a), created_at: scraped, updated_at: scraped };
    }),
  );
}
