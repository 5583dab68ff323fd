// The same stack in containers, when a Docker engine answers (CI runners, laptops with Docker).
// This path cannot run on the development machine (no Docker engine); it mirrors
// docker-compose.yml, which uses the same images and broker settings.
import { freePort } from './localKafka.js';

export const KAFKA_IMAGE = 'apache/kafka:4.4.0';
export const POSTGRES_IMAGE = 'postgres:17';
/** The image of Apicurio Registry's in-memory storage, the version infra/schema-registry/pom.xml fetches. */
export const SCHEMA_REGISTRY_IMAGE = 'apicurio/apicurio-registry-mem:2.6.13.Final';

export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startDockerKafka(progress: (m: string) => void) {
  const { GenericContainer, Wait } = await import('testcontainers');
  progress(`Starting ${KAFKA_IMAGE} (KRaft) in Docker...`);
  // The broker must advertise an address the host can reach, so the container listens on the
  // same port number that is published on the host.
  const port = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '4',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_HEAP_OPTS: '-Xmx1G -Xms1G',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return { brokers: [`localhost:${port}`], stop: async () => void (await container.stop()) };
}

export async function startDockerPostgres(progress: (m: string) => void) {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  progress(`Starting ${POSTGRES_IMAGE} in Docker...`);
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

export async function startDockerSchemaRegistry(progress: (m: string) => void) {
  const { GenericContainer, Wait } = await import('testcontainers');
  progress(`Starting ${SCHEMA_REGISTRY_IMAGE} in Docker...`);
  const container = await new GenericContainer(SCHEMA_REGISTRY_IMAGE)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .withStartupTimeout(120_000)
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(8080)}/apis/ccompat/v7`,
    stop: async () => void (await container.stop()),
  };
}
