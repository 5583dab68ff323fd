// `npm run migrate [-- down]`: applies (or rolls back) the knex migrations on DATABASE_URL.
import { createDb } from '../db/knex.js';
import { migrateDownAll, migrateLatest } from '../db/migrate.js';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write(
    'DATABASE_URL is required, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/hunt_matcher npm run migrate\n',
  );
  process.exit(2);
}
const db = createDb(url, { poolMax: 1 });
try {
  if (process.argv[2] === 'down') {
    await migrateDownAll(db);
    process.stdout.write('rolled back every migration\n');
  } else {
    const applied = await migrateLatest(db);
    process.stdout.write(
      applied.length
        ? `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n`
        : 'already up to date\n',
    );
  }
} catch (error) {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
