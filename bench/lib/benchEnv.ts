// The bench's stack and services, built with the same testkit as the test suite (testkit/): the
// run's stack and template database, services started in-process with the harness environment,
// and one cleanup for all of it.
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { dropDatabase } from '../../src/db/databases.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { createTopics, type Topics } from '../../src/events/topics.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Service } from '../../src/service.js';
import type { Stack } from '../../src/stack/provideStack.js';
import { cloneDatabase, startRunStack, stopRunStack, type RunStack } from '../../testkit/runStack.js';
import { InProcessServices, withTimeout } from '../../testkit/inProcessServices.js';
import { countMessages, ensureTopicsOf, serviceEnv } from '../../testkit/serviceEnv.js';

export { TOKENS } from '../../testkit/serviceEnv.js';

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
  private readonly services = new InProcessServices();
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  private readonly problems = new WeakMap<Service, ServiceProblem[]>();

  private constructor(
    private readonly run: RunStack,
    readonly serviceLogLevel: string,
  ) {
    this.kafka = new Kafka({
      brokers: run.stack.kafkaBrokers,
      clientId: `bench-${run.runId}`,
      logLevel: logLevel.NOTHING,
    });
  }

  get stack(): Stack {
    return this.run.stack;
  }
  get runId(): string {
    return this.run.runId;
  }

  static async start(options: { logLevel: string; progress: (m: string) => void }): Promise<BenchEnv> {
    return new BenchEnv(await startRunStack('b', options.progress), options.logLevel);
  }

  /** A fresh migrated database (a clone of the template, or of `from`). */
  async database(suffix: string, options: { from?: string; poolMax?: number } = {}): Promise<BenchDatabase> {
    const name = `${this.runId}_${suffix}`;
    const url = await cloneDatabase(this.run, name, options.from);
    const db = createDb(url, { poolMax: options.poolMax ?? 10, applicationName: `bench:${suffix}` });
    this.cleanups.push(() => db.destroy());
    return { name, url, db };
  }

  topics(scenario: string): Topics {
    return createTopics(`${this.runId}.${scenario}.`);
  }

  async ensureTopics(topics: Topics) {
    await ensureTopicsOf(this.kafka, topics, PARTITIONS);
  }

  /** The environment a service runs with (what a container would get), as the tests build it. */
  serviceEnv(databaseUrl: string, topics: Topics, overrides: Record<string, string> = {}): Record<string, string> {
    return serviceEnv(
      {
        databaseUrl,
        kafkaBrokers: this.stack.kafkaBrokers,
        topicPrefix: topics.prefix,
        partitions: PARTITIONS,
        logLevel: this.serviceLogLevel,
      },
      { ...overrides, ...tuning() },
    );
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
    const log = pino(
      { name: `bench:${config.instanceId}`, level: printFrom < 40 ? this.serviceLogLevel : 'warn' },
      destination,
    );
    const service = await this.services.start(this.serviceEnv(databaseUrl, topics, overrides), {
      name: 'bench',
      log,
      onFatal: (error) => process.stderr.write(`[bench] service reported a fatal error: ${error.message}\n`),
    });
    this.problems.set(service, problems);
    return service;
  }

  /** The service's last warnings and errors (at most 50). */
  serviceProblems(service: Service): ServiceProblem[] {
    return this.problems.get(service) ?? [];
  }

  async stopService(service: Service) {
    await this.services.stop(service, 20_000);
  }

  /** Number of messages in a topic (sum of the partitions' high watermarks). */
  countMessages(topic: string): Promise<number> {
    return countMessages(this.kafka, topic);
  }

  onCleanup(fn: () => Promise<unknown>) {
    this.cleanups.push(fn);
  }

  /** Stops services, drops this run's databases and topics (unless keep), stops the stack. */
  async stop(options: { keep?: boolean } = {}) {
    // Each step is time-boxed: a service stuck in a retry loop must not keep the databases and the
    // broker alive (DROP DATABASE ... WITH (FORCE) ends whatever sessions are left).
    await this.services.stopAll(15_000);
    for (const c of this.cleanups.splice(0).reverse()) await withTimeout(c(), 5000);
    await stopRunStack(this.run, options);
  }
}

/** BENCH_SERVICE_ENV="CONSUMER_CONCURRENCY=6,DATABASE_POOL_MAX=20": settings every bench service gets (for tuning experiments). */
function tuning(): Record<string, string> {
  const raw = process.env.BENCH_SERVICE_ENV ?? '';
  return Object.fromEntries(
    raw
      .split(',')
      .map((kv) => kv.trim())
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** Drops a database now (to free disk space between scenarios). */
export async function dropBenchDatabase(env: BenchEnv, database: BenchDatabase) {
  await database.db.destroy();
  await dropDatabase(env.stack.postgresUrl, database.name);
}
