import pg from 'pg';

export const LOCAL_POSTGRES_URLS = [
  'postgres://postgres@127.0.0.1:5432/postgres',
  'postgres://root@127.0.0.1:5432/postgres',
];

/** The first URL whose server answers and lets us create databases, or undefined. */
export async function findLocalPostgres(urls = LOCAL_POSTGRES_URLS): Promise<string | undefined> {
  for (const url of urls) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT rolcreatedb OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (rows[0]?.ok) return url;
    } catch {
      // try the next one
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return undefined;
}

export const POSTGRES_MISSING = [
  'No PostgreSQL server answers on 127.0.0.1:5432 (tried users postgres and root).',
  'Install and start PostgreSQL 15 or newer (Debian/Ubuntu: apt install postgresql && pg_ctlcluster 15 main start),',
  'or start a Docker engine (the stack then runs postgres:17 in a container),',
  'or set DATABASE_URL to a server where this user may CREATE DATABASE.',
].join('\n');
