import pg from 'pg';

/**
 * A background job's connection of its own, outside the pool, opened at first use and opened again after it was
 * dropped (a failed pass drops it: the next pass starts on a fresh one).
 */
export function ownConnection(databaseUrl: string, applicationName: string) {
  let client: pg.Client | undefined;
  return {
    async get(): Promise<pg.Client> {
      if (client) return client;
      const c = new pg.Client({ connectionString: databaseUrl, application_name: applicationName });
      // A lost connection shows at the next query; an 'error' event nobody hears would end the process.
      c.on('error', () => {
        if (client === c) client = undefined;
      });
      await c.connect();
      return (client = c);
    },
    async drop(): Promise<void> {
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
