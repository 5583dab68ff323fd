// `npm run dev`: the whole service on this machine, with the local stack (src/stack) and
// development defaults for every secret. Ctrl-C drains the service and stops the broker.
import { loadConfig } from './config.js';
import { createDatabase, databaseUrl } from './db/databases.js';
import { createDb } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { stopOnSignals } from './platform/shutdown.js';
import { createLogger } from './platform/logger.js';
import { startService } from './service.js';
import { devEnv } from './stack/devEnv.js';
import { startDevGateway } from './stack/devGateway.js';
import { provideStack } from './stack/provideStack.js';

const DEV_DATABASE = 'hunt_matcher_dev';

// EVENT_WIRE_FORMAT=confluent needs a schema registry: SCHEMA_REGISTRY_URL's, or a local one.
const stack = await provideStack({ schemaRegistry: process.env.EVENT_WIRE_FORMAT === 'confluent' });
let cleanups: Array<() => Promise<void>> = [stack.stop];
try {
  // DATABASE_URL from the environment is used as given; otherwise a persistent dev database.
  let url = process.env.DATABASE_URL;
  if (!url) {
    await createDatabase(stack.postgresUrl, DEV_DATABASE, { ifNotExists: true });
    url = databaseUrl(stack.postgresUrl, DEV_DATABASE);
  }
  const migrator = createDb(url, { poolMax: 1 });
  const applied = await migrateLatest(migrator).finally(() => migrator.destroy());
  process.stderr.write(
    `[dev] database ${new URL(url).pathname.slice(1)}: ${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}\n`,
  );

  let gatewayUrl = process.env.MESSAGE_GATEWAY_URL;
  if (!gatewayUrl) {
    const gateway = await startDevGateway((line) => process.stderr.write(`${line}\n`));
    cleanups = [gateway.close, ...cleanups];
    gatewayUrl = gateway.url;
  }

  const env = devEnv(process.env, {
    databaseUrl: url,
    kafkaBrokers: stack.kafkaBrokers,
    gatewayUrl,
    schemaRegistryUrl: stack.schemaRegistryUrl,
  });
  const config = loadConfig(env);
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const service = await startService({ config, log });
  process.stderr.write(
    [
      '',
      `[dev] ${stack.summary}`,
      `[dev] hunt-matcher on ${service.url} (roles: ${[...config.roles].join(', ')})`,
      `[dev] tokens: INGEST_TOKEN=${env.INGEST_TOKEN} API_TOKEN=${env.API_TOKEN} CRON_SECRET=${env.CRON_SECRET} OPS_TOKEN=${env.OPS_TOKEN}`,
      `[dev] webhooks: ${service.url}/v1/lobstr/webhook/${env.LOBSTR_WEBHOOK_SECRET} and ${service.url}/v1/gateway/webhook/${env.MESSAGE_GATEWAY_WEBHOOK_SECRET}`,
      `[dev] console: ${service.url}/ops   API docs: ${service.url}/docs (OpenAPI: ${service.url}/openapi.json)`,
      `[dev] try: curl -s ${service.url}/readyz`,
      `[dev] Ctrl-C stops the service and the local broker${stack.schemaRegistryUrl ? ' and registry' : ''}.`,
      '',
    ].join('\n'),
  );
  stopOnSignals(service.stop, log, config.shutdownTimeoutMs, async () => {
    for (const c of cleanups) await c();
  });
} catch (error) {
  for (const c of cleanups) await c().catch(() => undefined);
  process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
