import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type Db = Knex;
export type Trx = Knex.Transaction;

// bigint (outbox ids, positions) as JS numbers: they stay far below 2^53 here.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// `date` columns as 'YYYY-MM-DD' strings: a calendar day has no time zone to get wrong.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

interface KnexLog {
  warn(message: unknown): void;
  error(message: unknown): void;
}

export function createDb(url: string, options: { poolMax?: number; applicationName?: string; log?: KnexLog } = {}): Db {
  // knex prints pool errors to the console by default; they also surface as the query's error.
  const log = options.log ?? { warn: () => undefined, error: () => undefined };
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: options.applicationName ?? 'hunt-matcher' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: (m: unknown) => log.warn(m),
      error: (m: unknown) => log.error(m),
      deprecate: () => undefined,
      debug: () => undefined,
    },
  });
}
