// The fault tests' own stack, one per test file: a Kafka broker it may crash and restart (on the same
// data and port), or a cluster of KRaft nodes (`nodes`), a database cloned from a migrated template on
// the local PostgreSQL, and the service as child processes (`npm start`'s code), with a real local
// gateway. Nothing here is shared with the main suite, so killing things harms no other test.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, databaseUrl, dropDatabase } from '../../src/db/databases.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { createMigratedDatabase } from '../../src/db/migrate.js';
import { createTopics, type Topics } from '../../src/events/topics.js';
import {
  startLocalKafka,
  startLocalKafkaCluster,
  type LocalKafka,
  type LocalKafkaCluster,
} from '../../src/stack/localKafka.js';
import { findLocalPostgres } from '../../src/stack/localPostgres.js';
import { startChildService, type ChildService } from '../childService.js';
import { startFakeGateway } from '../fakeGateway.js';
import { ensureTopicsOf, serviceEnv, TOKENS } from '../serviceEnv.js';

/** CHAOS_SIZE=full (npm run chaos) or short (the default; CI). */
export const FULL = process.env.CHAOS_SIZE === 'full';

export interface ChaosEnv {
  /** The broker (with one node; with a cluster, its crash() and restart() refuse: use `cluster`). */
  kafka: LocalKafka;
  /** With `nodes` > 1: the cluster, each node of which may be killed, stopped and started. */
  cluster?: LocalKafkaCluster;
  client: Kafka;
  db: Db;
  databaseUrl: string;
  topics: Topics;
  gateway: Awaited<ReturnType<typeof startFakeGateway>>;
  /** The service as a child process with every role (or `roles`), as `npm start` runs it. */
  start(overrides?: Record<string, string>): ChildService;
  /** Every child started, for the cleanup. */
  children: ChildService[];
}

export interface ChaosEnvOptions {
  /** KRaft nodes of the run's Kafka (default 1). With more, the service creates the topics itself at
   *  start, from TOPIC_REPLICATION_FACTOR = min(3, nodes), as it would on a production cluster. */
  nodes?: number;
  /** broker.session.timeout.ms of a cluster: after a node dies, its partitions get new leaders after this. */
  sessionTimeoutMs?: number;
}

export function useChaosEnv(options: ChaosEnvOptions = {}): ChaosEnv {
  const env = { children: [] as ChildService[] } as unknown as ChaosEnv;
  const nodes = options.nodes ?? 1;
  const replication: Record<string, string> = nodes > 1 ? { TOPIC_REPLICATION_FACTOR: String(Math.min(3, nodes)) } : {};
  let postgresUrl = '';
  let names: string[] = [];
  beforeAll(async () => {
    const progress = (m: string) => process.stderr.write(`[chaos] ${m}\n`);
    if (nodes > 1) {
      const cluster = await startLocalKafkaCluster({
        progress,
        restartable: true,
        nodes,
        sessionTimeoutMs: options.sessionTimeoutMs,
      });
      const refuse = () => Promise.reject(new Error('a cluster: crash or restart one of env.cluster.nodes'));
      env.cluster = cluster;
      env.kafka = {
        brokers: cluster.brokers,
        version: cluster.version,
        stop: () => cluster.stop(),
        crash: refuse,
        restart: refuse,
      };
    } else {
      env.kafka = await startLocalKafka({ progress, restartable: true });
    }
    postgresUrl = (await findLocalPostgres())!;
    const id = `hm_c${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    names = [`${id}_template`, id];
    await createMigratedDatabase(postgresUrl, names[0]!);
    await createDatabase(postgresUrl, id, { template: names[0] });
    env.databaseUrl = databaseUrl(postgresUrl, id);
    env.db = createDb(env.databaseUrl, { poolMax: 4, applicationName: 'chaos-test' });
    env.client = new Kafka({ brokers: env.kafka.brokers, clientId: 'chaos-test', logLevel: logLevel.NOTHING });
    env.topics = nodes > 1 ? createTopics(`${id}.`) : await ensureTopicsOf(env.client, createTopics(`${id}.`), 6);
    env.gateway = await startFakeGateway(TOKENS.MESSAGE_GATEWAY_TOKEN, () => ({ status: 202 }));
    env.start = (overrides = {}) => {
      const child = startChildService(
        serviceEnv(
          {
            databaseUrl: env.databaseUrl,
            kafkaBrokers: env.kafka.brokers,
            topicPrefix: env.topics.prefix,
            partitions: 6,
            logLevel: 'info',
          },
          { MESSAGE_GATEWAY_URL: env.gateway.url, SEND_RATE_PER_MINUTE: '100000', ...replication, ...overrides },
        ),
        // The built service, as `npm start` runs it (npm run chaos builds first): restart times are a
        // process's, not a TypeScript compiler's.
        { keepOutput: 400_000, built: true },
      );
      env.children.push(child);
      return child;
    };
  }, 180_000);
  afterAll(async () => {
    for (const c of env.children) await c.kill('SIGKILL').catch(() => undefined);
    // CHAOS_LOG_DIR=dir keeps each child's log (its tail) for a look after the run.
    const logDir = process.env.CHAOS_LOG_DIR;
    if (logDir) {
      await mkdir(logDir, { recursive: true });
      await Promise.all(
        env.children.map((c, i) => writeFile(join(logDir, `${names[1] ?? 'chaos'}-${i}.log`), c.output())),
      );
    }
    await env.gateway?.close();
    await env.db?.destroy();
    for (const name of names.reverse()) await dropDatabase(postgresUrl, name).catch(() => undefined);
    await env.kafka?.stop();
  }, 120_000);
  return env;
}
