// Provides the real stack to every test file: a Kafka broker and a migrated template database.
import type { TestProject } from 'vitest/node';
import { dropDatabase, listDatabases } from '../../src/db/databases.js';
import { createMigratedDatabase } from '../../src/db/migrate.js';
import { provideStack } from '../../src/stack/provideStack.js';

export interface ProvidedStack {
  kafkaBrokers: string[];
  postgresUrl: string;
  /** Prefix of every database (and topic) this run creates. */
  runId: string;
  /** A migrated database that test files clone. */
  template: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const stack = await provideStack({ progress: (m) => process.stderr.write(`[stack] ${m}\n`) });
  const runId = `hm_t${Date.now().toString(36)}${process.pid.toString(36)}`;
  const template = `${runId}_template`;
  try {
    await createMigratedDatabase(stack.postgresUrl, template);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  process.stderr.write(`[stack] ${stack.summary}; ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('stack', { kafkaBrokers: stack.kafkaBrokers, postgresUrl: stack.postgresUrl, runId, template });

  return async () => {
    for (const name of await listDatabases(stack.postgresUrl, runId)) await dropDatabase(stack.postgresUrl, name).catch(() => undefined);
    await stack.stop();
  };
}
