// Bulk loads with COPY FROM STDIN (pg-copy-streams): a million-row world loads several times faster than
// multi-row INSERTs (bench/data/load.ts), and rows are streamed, never held as one statement.
// The rows have the shape the service writes: the column lists and row mappings are the service's own.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Ad, Hunt } from '../../src/domain/types.js';
import { AD_COLUMNS, rowFromAd } from '../../src/sql/ads/adRow.js';
import { HUNT_COLUMNS, rowFromHunt } from '../../src/sql/hunts/huntRow.js';

const escapeText = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** One value in COPY's text format, for a column of `type`. */
function field(value: unknown, type: string): string {
  if (value === null || value === undefined) return '\\N';
  if (type.endsWith('[]')) {
    const items = (value as unknown[]).map((x) => `"${String(x).replace(/(["\\])/g, '\\$1')}"`);
    return escapeText(`{${items.join(',')}}`);
  }
  if (type === 'jsonb' || type === 'json') return escapeText(typeof value === 'string' ? value : JSON.stringify(value));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return escapeText(value);
  throw new Error(`no COPY text for ${typeof value} in a ${type} column`);
}

/** COPYs `rows` into `table`; `columns` names each column and its type. Returns the rows written. */
export async function copyRows(
  databaseUrl: string,
  table: string,
  columns: Record<string, string>,
  rows: Iterable<Record<string, unknown>>,
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench:copy' });
  await client.connect();
  let n = 0;
  try {
    const entries = Object.entries(columns);
    const lines = function* () {
      let chunk: string[] = [];
      for (const row of rows) {
        chunk.push(entries.map(([name, type]) => field(row[name], type)).join('\t'));
        n++;
        if (chunk.length === 2000) {
          yield `${chunk.join('\n')}\n`;
          chunk = [];
        }
      }
      if (chunk.length > 0) yield `${chunk.join('\n')}\n`;
    };
    const sql = `COPY ${table} (${entries.map(([name]) => name).join(', ')}) FROM STDIN`;
    await pipeline(Readable.from(lines()), client.query(copyFrom(sql)));
  } finally {
    await client.end();
  }
  return n;
}

export function copyAds(databaseUrl: string, ads: Iterable<Ad>): Promise<number> {
  const columns = { ...AD_COLUMNS, created_at: 'timestamptz', updated_at: 'timestamptz' };
  return copyRows(
    databaseUrl,
    'ads',
    columns,
    (function* () {
      for (const a of ads) {
        const scraped = new Date(a.scrapedAt).toISOString();
        yield { ...rowFromAd(a), created_at: scraped, updated_at: scraped };
      }
    })(),
  );
}

export function copyHunts(databaseUrl: string, hunts: Iterable<Hunt>): Promise<number> {
  return copyRows(
    databaseUrl,
    'hunts',
    HUNT_COLUMNS,
    (function* () {
      for (const h of hunts) yield rowFromHunt(h) as Record<string, unknown>;
    })(),
  );
}

export function copyAccounts(databaseUrl: string, ids: string[]): Promise<number> {
  return copyRows(
    databaseUrl,
    'accounts',
    { id: 'uuid', name: 'text' },
    ids.map((id, i) => ({ id, name: `Compte ${i + 1}` })),
  );
}
