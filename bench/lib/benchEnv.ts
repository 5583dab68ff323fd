// The bench's stack: the test suite's provideStack (Kafka and PostgreSQL), a migrated template
// database that every scenario clones (test/setup/globalSetup.ts does the same), services started
// in-process with a config built like test/support/testEnv.ts, and one cleanup for all of it.
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { createDatabase, databaseUrl, dropDatabase, listDatabases } from '../../src/db/databases.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { createMigratedDatabase } from '../../src/db/migrate.js';
import { createTopics, ensureTopics, type Topics } from '../../src/events/topics.js';
import { createLogger } from '../../src/platform/logger.js';
import { retryKafka } from '../../src/platform/kafka.js';
import { startService, type Service } from '../../src/service.js';
import { provideStack, type Stack } from '../../src/stack/provideStack.js';

export const TOKENS = {
  INGEST_TOKEN: 'bench-ingest-token',
  API_TOKEN: 'bench-api-token',
  CRON_SECRET: 'bench-cron-secret',
  LOBSTR_WEBHOOK_SECRET: 'bench-lobstr-secret',
  LOBSTR_API_KEY: 'bench-lobstr-key',
  MESSAGE_GATEWAY_TOKEN: 'bench-gateway-token',
};

/** Partitions of every topic the bench creates: the service's default (TOPIC_PARTITIONS). */
export const PARTITIONS = 6;

export interface ServiceProblem {
  level: number;
  msg: string;
  error?: string;
}

export interface BenchDatabase {
  name: string;
  url: string;
  db: Db;
}

export class BenchEnv {
  readonly kafka: Kafka;
  private readonly services: Service[] = [];
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  private readonly problems = new WeakMap<Service, ServiceProblem[]>();

  private constructor(
    readonly stack: Stack,
    readonly runId: string,
    readonly template: string,
    readonly serviceLogLevel: string,
  ) {
    this.kafka = new Kafka({ brokers: stack.kafkaBrokers, clientId: `bench-${runId}`, logLevel: logLevel.NOTHING });
  }

  static async start(options: { logLevel: string; progress: (m: string) => void }): Promise<BenchEnv> {
    const stack = await provideStack({ progress: options.progress });
    const runId = `hm_b${Date.now().toString(36)}${process.pid.toString(36)}`;
    const template = `${runId}_template`;
    try {
      await createMigratedDatabase(stack.postgresUrl, template);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return new BenchEnv(stack, runId, template, options.logLevel);
  }

  /** A fresh migrated database (a clone of the template, or of `from`). */
  async database(suffix: string, options: { from?: string; poolMax?: number } = {}): Promise<BenchDatabase> {
    const name = `${this.runId}_${suffix}`;
    await createDatabase(this.stack.postgresUrl, name, { template: options.from ?? this.template });
    const url = databaseUrl(this.stack.postgresUrl, name);
    const db = createDb(url, { poolMax: options.poolMax ?? 10, applicationName: `bench:${suffix}` });
    this.cleanups.push(() => db.destroy());
    return { name, url, db };
  }

  topics(scenario: string): Topics {
    return createTopics(`${this.runId}.${scenario}.`);
  }

  async ensureTopics(topics: Topics) {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, topics, { partitions: PARTITIONS, replicationFactor: 1 });
    } finally {
      await admin.disconnect();
    }
  }

  /** The environment a service runs with (what a container would get), as the tests build it. */
  serviceEnv(databaseUrl: string, topics: Topics, overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: this.stack.kafkaBrokers.join(','),
      TOPIC_PREFIX: topics.prefix,
      TOPIC_PARTITIONS: String(PARTITIONS),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: this.serviceLogLevel,
      LOG_PRETTY: 'false',
      MESSAGE_GATEWAY_URL: 'http://127.0.0.1:9',
      ...TOKENS,
      ...overrides,
    };
  }

  config(databaseUrl: string, topics: Topics, overrides: Record<string, string> = {}): Config {
    return loadConfig(this.serviceEnv(databaseUrl, topics, overrides));
  }

  logger(name: string) {
    return createLogger({ level: this.serviceLogLevel, pretty: 'false', name });
  }

  /**
   * A service in this process. Its warnings and errors are kept (see problems()) whatever the log
   * level, so that a scenario can say why a service did not get there.
   */
  async startService(databaseUrl: string, topics: Topics, overrides: Record<string, string>): Promise<Service> {
    const config = this.config(databaseUrl, topics, overrides);
    const printFrom = pino.levels.values[this.serviceLogLevel] ?? 50;
    const problems: ServiceProblem[] = [];
    const destination = {
      write: (line: string) => {
        try {
          const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
          if (entry.level >= 40) {
            problems.push({ level: entry.level, msg: entry.msg ?? '', error: entry.err?.message?.slice(-400) });
            if (problems.length > 50) problems.shift();
          }
          if (entry.level >= printFrom) process.stderr.write(line);
        } catch {
          process.stderr.write(line);
        }
      },
    };
    const log = pino({ name: `bench:${config.instanceId}`, level: printFrom < 40 ? this.serviceLogLevel : 'warn' }, destination);
    const service = await startService({
      config,
      log,
      onFatal: (error) => process.stderr.write(`[bench] service reported a fatal error: ${error.message}\n`),
    });
    this.services.push(service);
    this.problems.set(service, problems);
    return service;
  }

  /** The service's last warnings and errors (at most 50). */
  serviceProblems(service: Service): ServiceProblem[] {
    return this.problems.get(service) ?? [];
  }

  async stopService(service: Service) {
    const i = this.services.indexOf(service);
    if (i >= 0) this.services.splice(i, 1);
    await withTimeout(service.stop(), 20_000);
  }

  /** Number of messages in a topic (sum of the partitions' high watermarks). */
  async countMessages(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await retryKafka(() => admin.fetchTopicOffsets(topic));
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  onCleanup(fn: () => Promise<unknown>) {
    this.cleanups.push(fn);
  }

  /** Stops services, drops this run's databases and topics (unless keep), stops the stack. */
  async stop(options: { keep?: boolean } = {}) {
    // Each step is time-boxed: a service stuck in a retry loop must not keep the databases and the
    // broker alive (DROP DATABASE ... WITH (FORCE) ends whatever sessions are left).
    for (const s of this.services.splice(0).reverse()) await withTimeout(s.stop(), 15_000);
    for (const c of this.cleanups.splice(0).reverse()) await withTimeout(c(), 5000);
    if (!options.keep) {
      for (const name of await listDatabases(this.stack.postgresUrl, this.runId).catch(() => [] as string[])) {
        await dropDatabase(this.stack.postgresUrl, name).catch(() => undefined);
      }
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${this.runId}.`));
        if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      } catch {
        // the broker may be gone already
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    await this.stack.stop();
  }
}

const withTimeout = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

/** Drops a database now (to free disk space between scenarios). */
export async function dropBenchDatabase(env: BenchEnv, database: BenchDatabase) {
  await database.db.destroy();
  await dropDatabase(env.stack.postgresUrl, database.name);
}
