import { describe, expect, it } from 'vitest';
import { migrateDownAll, migrateLatest, migrationsApplied } from '../../src/db/migrate.js';
import { TABLES } from '../../testkit/rows.js';
import { useBareDatabase } from '../../testkit/testEnv.js';

const withDb = useBareDatabase('migrations');

describe('migrations', () => {
  it('go up, down and up again on a fresh database', async () => {
    await withDb(async (db) => {
      const tables = async () =>
        (
          (await db('information_schema.tables').where({ table_schema: 'public' }).pluck('table_name')) as string[]
        ).filter((n) => !n.startsWith('knex_'));

      expect(await migrationsApplied(db)).toBe(false);
      expect((await migrateLatest(db)).length).toBeGreaterThan(0);
      expect((await tables()).sort()).toEqual([...TABLES].sort());
      expect(await migrationsApplied(db)).toBe(true);

      await migrateDownAll(db);
      expect(await tables()).toEqual([]);
      expect(await migrationsApplied(db)).toBe(false);
      const { rows } = await db.raw<{ rows: unknown[] }>(`SELECT 1 FROM pg_proc WHERE proname = 'outbox_notify'`);
      expect(rows).toHaveLength(0);

      await migrateLatest(db);
      expect((await tables()).sort()).toEqual([...TABLES].sort());
      expect(await migrateLatest(db)).toEqual([]);
    });
  });

  it('enforce the uniqueness the contract names', async () => {
    await withDb(async (db) => {
      const { rows } = await db.raw<{ rows: Array<{ indexname: string }> }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
      );
      const names = rows.map((r) => r.indexname);
      expect(names).toEqual(
        expect.arrayContaining([
          'ads_source_external_id_key',
          'leads_account_id_ad_id_key',
          'contacted_ads_account_id_ad_id_key',
          'seller_contacts_account_id_phone_key',
          'optouts_pkey',
          'inbox_pkey',
        ]),
      );
    });
  });
});
