import { migrationSource, migrations } from '../../migrations/index.js';
import type { Db } from './knex.js';

const options = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(options)) as [number, string[]];
  return applied;
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
