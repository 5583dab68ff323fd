// `npm run dev`: the whole service on this machine, with the local stack (src/stack), a stand-in message
// gateway and Lobstr API, and development defaults for every secret. Ctrl-C (or SIGTERM) drains the
// service, then stops the broker and removes its data; asked while starting, it stops what has started.
import { addSampleRun, SAMPLE_RUN, startFakeLobstr } from '../testkit/fakeLobstr.js';
import { loadConfig } from './config.js';
import { createDatabase, databaseUrl } from './db/databases.js';
import { createDb } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { catchStopSignals } from './platform/shutdown.js';
import { createLogger } from './platform/logger.js';
import { startService } from './service.js';
import { devBanner } from './stack/devBanner.js';
import { DEV_SECRETS, devEnv } from './stack/devEnv.js';
import { startDevGateway } from './stack/devGateway.js';
import { provideStack } from './stack/provideStack.js';

const DEV_DATABASE = 'hunt_matcher_dev';

// Until the service's logger exists, what the shutdown says is written as the other [dev] lines.
const say = (_details: object, message: string) => void process.stderr.write(`[dev] ${message}\n`);
// A stop asked for while the local broker starts cuts its start short (a JVM takes seconds to be ready).
const starting = new AbortController();
const shutdown = catchStopSignals({ log: { info: say, warn: say, error: say }, onRequest: () => starting.abort() });
// What has started, in the order it stops.
let cleanups: Array<() => Promise<void>> = [];
const stopStarted = async () => {
  for (const c of cleanups) await c().catch(() => undefined);
};
/** Between two steps of the start: a stop asked for meanwhile stops what started, and exits 0. */
const stopIfAsked = async () => {
  if (!shutdown.requested) return;
  await stopStarted();
  process.stderr.write('[dev] stopped cleanly\n');
  process.exit(0);
};
try {
  // EVENT_WIRE_FORMAT=confluent needs a schema registry: SCHEMA_REGISTRY_URL's, or a local one.
  const stack = await provideStack({
    signal: starting.signal,
    schemaRegistry: process.env.EVENT_WIRE_FORMAT === 'confluent',
  });
  cleanups = [stack.stop];
  await stopIfAsked();
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
  await stopIfAsked();

  let gatewayUrl = process.env.MESSAGE_GATEWAY_URL;
  if (!gatewayUrl) {
    const gateway = await startDevGateway((line) => process.stderr.write(`${line}\n`));
    cleanups = [gateway.close, ...cleanups];
    gatewayUrl = gateway.url;
  }
  // Lobstr's API stand-in, unless a key of one's own says to use the real one: without it the README's
  // Lobstr example had the importer call api.lobstr.io with a development key, and retry long after.
  let lobstrUrl: string | undefined;
  if (!process.env.LOBSTR_API_KEY) {
    const lobstr = await startFakeLobstr({ apiKey: DEV_SECRETS.LOBSTR_API_KEY, maxRequestsPerSecond: 2 });
    addSampleRun(lobstr, new Date());
    cleanups = [lobstr.close, ...cleanups];
    lobstrUrl = lobstr.url;
  }

  const env = devEnv(process.env, {
    databaseUrl: url,
    kafkaBrokers: stack.kafkaBrokers,
    gatewayUrl,
    lobstrUrl,
    schemaRegistryUrl: stack.schemaRegistryUrl,
  });
  const config = loadConfig(env);
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const service = await startService({ config, log });
  cleanups = [service.stop, ...cleanups];
  const stopRequested = shutdown.requested;
  shutdown.drainWith(stopStarted, { log, timeoutMs: config.shutdownTimeoutMs });
  // Asked to stop while it started: it drains now, no banner.
  if (!stopRequested) {
    // The banner after the start logs: the logger writes through a worker thread, flushed first.
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.stderr.write(
      devBanner({
        url: service.url,
        roles: [...config.roles],
        tokens: env,
        topicPrefix: config.topics.prefix,
        stackSummary: stack.summary,
        database: new URL(url).pathname.slice(1),
        gateway: { url: gatewayUrl, standIn: !process.env.MESSAGE_GATEWAY_URL },
        lobstr: lobstrUrl
          ? { url: lobstrUrl, standIn: true, sampleRun: { id: SAMPLE_RUN.id, squid: SAMPLE_RUN.squid } }
          : { url: config.lobstr.apiUrl, standIn: false },
      }),
    );
  }
} catch (error) {
  await stopStarted();
  // A start cut short by a stop request is a clean stop, not a failure to report.
  if (shutdown.requested) {
    process.stderr.write('[dev] stopped cleanly\n');
    process.exit(0);
  }
  process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
