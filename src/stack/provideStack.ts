// One place that answers "where is Kafka, where is PostgreSQL?" for the test suite and `npm run dev`:
//   1. KAFKA_BROKERS / DATABASE_URL from the environment, when set;
//   2. otherwise containers, when a Docker engine answers;
//   3. otherwise a local Apache Kafka broker from Maven Central jars, and the PostgreSQL server
//      on 127.0.0.1:5432 (or a clear error saying what to install).
// A schema registry (EVENT_WIRE_FORMAT=confluent) only when asked for, the same three ways:
// SCHEMA_REGISTRY_URL, a container, or Apicurio Registry from Maven Central (src/stack/localSchemaRegistry.ts).
import { dockerAvailable, startDockerKafka, startDockerPostgres, startDockerSchemaRegistry } from './dockerStack.js';
import { startLocalKafka } from './localKafka.js';
import { findLocalPostgres, POSTGRES_MISSING } from './localPostgres.js';
import { startLocalSchemaRegistry, waitForRegistry } from './localSchemaRegistry.js';
import { waitForKafka } from './waitForKafka.js';

export interface Stack {
  kafkaBrokers: string[];
  /** A server-level URL: the caller creates its own databases on it. */
  postgresUrl: string;
  /** The registry's Confluent-compatible API, when one was asked for (`schemaRegistry: true`). */
  schemaRegistryUrl?: string;
  /** One line saying what was chosen, e.g. "Kafka: local 4.4.0 broker on 127.0.0.1:40123; PostgreSQL: 127.0.0.1:5432". */
  summary: string;
  stop(): Promise<void>;
}

export interface SchemaRegistryProvided {
  url: string;
  summary: string;
  stop(): Promise<void>;
}

/** A schema registry: SCHEMA_REGISTRY_URL when set (it wins), else a container, else Apicurio from Maven Central. */
export async function provideSchemaRegistry(options: {
  env?: Record<string, string | undefined>;
  progress?: (message: string) => void;
  /** Whether a Docker engine answers, when the caller knows already. */
  docker?: boolean;
}): Promise<SchemaRegistryProvided> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((m: string) => process.stderr.write(`[stack] ${m}\n`));
  if (env.SCHEMA_REGISTRY_URL) {
    const url = env.SCHEMA_REGISTRY_URL.replace(/\/+$/, '');
    await waitForRegistry(url, { timeoutMs: 30_000 });
    return { url, summary: `schema registry: ${url} (SCHEMA_REGISTRY_URL)`, stop: async () => undefined };
  }
  if (options.docker ?? (await dockerAvailable())) {
    const registry = await startDockerSchemaRegistry(progress);
    try {
      await waitForRegistry(registry.url, { timeoutMs: 60_000 });
    } catch (error) {
      await registry.stop();
      throw error;
    }
    return { ...registry, summary: `schema registry: container on ${registry.url}` };
  }
  const registry = await startLocalSchemaRegistry({ progress });
  return { ...registry, summary: `schema registry: local Apicurio ${registry.version} on ${registry.url}` };
}

export async function provideStack(options: {
  env?: Record<string, string | undefined>;
  progress?: (message: string) => void;
  /** Aborted while the stack starts (a Ctrl-C): the local broker's start is cut short and undone. */
  signal?: AbortSignal;
  /** Provide a schema registry too (EVENT_WIRE_FORMAT=confluent). */
  schemaRegistry?: boolean;
}): Promise<Stack> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? ((m: string) => process.stderr.write(`[stack] ${m}\n`));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const dockerAsked = !env.KAFKA_BROKERS || !env.DATABASE_URL;
    const docker = dockerAsked ? await dockerAvailable() : false;

    const { kafkaBrokers, kafkaSummary } = await provideKafka(env, docker, progress, options.signal, stops);
    const { postgresUrl, postgresSummary } = await providePostgres(env, docker, progress, stops);
    let registry: SchemaRegistryProvided | undefined;
    if (options.schemaRegistry) {
      registry = await provideSchemaRegistry({ env, progress, ...(dockerAsked ? { docker } : {}) });
      stops.push(registry.stop);
    }
    return {
      kafkaBrokers,
      postgresUrl,
      ...(registry ? { schemaRegistryUrl: registry.url } : {}),
      summary: [kafkaSummary, postgresSummary, ...(registry ? [registry.summary] : [])].join('; '),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Kafka: KAFKA_BROKERS when set, else a container, else a local broker; what it started, its stop in `stops`. */
async function provideKafka(
  env: Record<string, string | undefined>,
  docker: boolean,
  progress: (message: string) => void,
  signal: AbortSignal | undefined,
  stops: Array<() => Promise<void>>,
): Promise<{ kafkaBrokers: string[]; kafkaSummary: string }> {
  if (env.KAFKA_BROKERS) {
    const kafkaBrokers = env.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    await waitForKafka(kafkaBrokers, { timeoutMs: 30_000 });
    return { kafkaBrokers, kafkaSummary: `Kafka: ${kafkaBrokers.join(',')} (KAFKA_BROKERS)` };
  }
  if (docker) {
    const kafka = await startDockerKafka(progress);
    stops.push(kafka.stop);
    await waitForKafka(kafka.brokers, { timeoutMs: 60_000 });
    return { kafkaBrokers: kafka.brokers, kafkaSummary: `Kafka: container on ${kafka.brokers.join(',')}` };
  }
  const kafka = await startLocalKafka({ progress, signal });
  stops.push(kafka.stop);
  return {
    kafkaBrokers: kafka.brokers,
    kafkaSummary: `Kafka: local ${kafka.version} broker from Maven jars on ${kafka.brokers.join(',')}`,
  };
}

/** PostgreSQL: DATABASE_URL when set, else a container, else the local server; a container's stop in `stops`. */
async function providePostgres(
  env: Record<string, string | undefined>,
  docker: boolean,
  progress: (message: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<{ postgresUrl: string; postgresSummary: string }> {
  if (env.DATABASE_URL) {
    const postgresUrl = env.DATABASE_URL;
    return { postgresUrl, postgresSummary: `PostgreSQL: ${new URL(postgresUrl).host} (DATABASE_URL)` };
  }
  if (docker) {
    const pg = await startDockerPostgres(progress);
    stops.push(pg.stop);
    return { postgresUrl: pg.url, postgresSummary: `PostgreSQL: container on ${new URL(pg.url).host}` };
  }
  const found = await findLocalPostgres();
  if (!found) throw new Error(POSTGRES_MISSING);
  return {
    postgresUrl: found,
    postgresSummary: `PostgreSQL: local server on ${new URL(found).host} as ${new URL(found).username}`,
  };
}
