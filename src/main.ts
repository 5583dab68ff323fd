// `npm start`: the built service, configured from environment variables alone (what a container runs).
import { ConfigError, loadConfig } from './config.js';
import { UnpatchedDependencyError } from './platform/patchedDependencies.js';
import { catchStopSignals } from './platform/shutdown.js';
import { createLogger } from './platform/logger.js';
import { startService } from './service.js';

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hunt-matcher: ${error.message}\nSee .env.example for every variable.\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  // Caught before anything starts: SIGTERM while the service starts (a deployment rolled back at once)
  // drains it as soon as it runs, instead of killing it halfway.
  const shutdown = catchStopSignals({ log });
  const service = await startService({ config, log });
  shutdown.drainWith(service.stop, { log, timeoutMs: config.shutdownTimeoutMs });
}

main().catch((error: unknown) => {
  if (error instanceof UnpatchedDependencyError) {
    process.stderr.write(`hunt-matcher: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `hunt-matcher failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
