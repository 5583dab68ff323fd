// The stack of one test or bench run: a Kafka broker and a PostgreSQL server (src/stack/provideStack.ts),
// a migrated template database that every test file or scenario clones, and one cleanup that drops
// every database and topic the run created.
import { Kafka, logLevel } from 'kafkajs';
import { createDatabase, databaseUrl, dropDatabase, listDatabases } from '../src/db/databases.js';
import { createMigratedDatabase } from '../src/db/migrate.js';
import { provideStack, type Stack } from '../src/stack/provideStack.js';

export interface RunStack {
  stack: Stack;
  /** Prefix of every database and topic of this run. */
  runId: string;
  /** The migrated database that the run's databases are cloned from. */
  template: string;
}

/** `kind` tells the run's databases apart in a listing: t for tests, b for benchmarks, s for the console's screenshot. */
export async function startRunStack(kind: 't' | 'b' | 's', progress: (message: string) => void): Promise<RunStack> {
  const stack = await provideStack({ progress });
  const runId = `hm_${kind}${Date.now().toString(36)}${process.pid.toString(36)}`;
  const template = `${runId}_template`;
  try {
    await createMigratedDatabase(stack.postgresUrl, template);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return { stack, runId, template };
}

/** A fresh migrated database of the run: a clone of the template (or of `from`). Returns its URL. */
export async function cloneDatabase(run: RunStack, name: string, from = run.template): Promise<string> {
  await createDatabase(run.stack.postgresUrl, name, { template: from });
  return databaseUrl(run.stack.postgresUrl, name);
}

export async function dropDatabasesOf(postgresUrl: string, prefix: string): Promise<void> {
  for (const name of await listDatabases(postgresUrl, prefix).catch(() => [] as string[]))
    await dropDatabase(postgresUrl, name).catch(() => undefined);
}

export async function deleteTopicsOf(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  } catch {
    // the broker may be gone already
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Drops the run's databases and topics, then stops the stack. */
export async function stopRunStack(run: RunStack, options: { keep?: boolean } = {}): Promise<void> {
  if (!options.keep) {
    await dropDatabasesOf(run.stack.postgresUrl, run.runId);
    await deleteTopicsOf(
      new Kafka({ brokers: run.stack.kafkaBrokers, clientId: `${run.runId}-cleanup`, logLevel: logLevel.NOTHING }),
      `${run.runId}`,
    );
  }
  await run.stack.stop();
}
