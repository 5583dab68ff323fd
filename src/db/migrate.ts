import { migrationSource, migrations } from '../../migrations/index.js';
import { createDatabase, databaseUrl } from './databases.js';
import { createDb, type Db } from './knex.js';

const options = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(options)) as [number, string[]];
  return applied;
}

/** Creates database `name` on the server and applies every migration (the template test files and benchmarks clone). */
export async function createMigratedDatabase(serverUrl: string, name: string): Promise<void> {
  await createDatabase(serverUrl, name);
  const db = createDb(databaseUrl(serverUrl, name), { poolMax: 1 });
  await migrateLatest(db).finally(() => db.destroy());
}

export async function migrateDownAll(db: Db): Promise<void> {
  await db.migrate.rollback(options, true);
}

/** True when every migration this build knows is applied (used by /readyz). */
export async function migrationsApplied(db: Db): Promise<boolean> {
  const exists = await db.schema.hasTable('knex_migrations');
  if (!exists) return false;
  const rows = await db('knex_migrations').select<{ name: string }[]>('name');
  const done = new Set(rows.map((r) => r.name));
  return migrations.every((m) => done.has(m.name));
}
