// What the configuration says of an environment, for the tests of src/config.ts and src/config/.
import { ConfigError, loadConfig } from '../src/config.js';

/** The smallest environment a relay starts with. */
export const BASE_ENV = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092',
  ROLES: 'relay',
};

/** The problems loadConfig names for this environment (none: it loads). */
export const configProblems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};
