// A real Apache Kafka from Maven Central jars, for machines without Docker: one broker (the test suite,
// `npm run dev`), or a cluster of KRaft nodes on loopback (the fault tests of replication). Maven
// resolves the classpath once (cached outside the repository); each start formats fresh KRaft storage
// directories and runs kafka.Kafka on free loopback ports (src/stack/kafkaNode.ts).
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../platform/projectRoot.js';
import { createKafkaNode, type KafkaNode } from './kafkaNode.js';

export type { KafkaNode } from './kafkaNode.js';

const run = promisify(execFile);

export interface LocalKafka {
  brokers: string[];
  version: string;
  stop(): Promise<void>;
  /** With `restartable`: kills the broker JVM with SIGKILL, keeping its data (fault tests). */
  crash(): Promise<void>;
  /** With `restartable`: starts the broker again on the same data and port, and waits until it answers. */
  restart(): Promise<void>;
}

export interface LocalKafkaOptions {
  progress: (message: string) => void;
  heapMb?: number;
  /** Keep the data when the broker dies, so that crash() and restart() can be used. */
  restartable?: boolean;
  /** Aborted while the broker starts (a Ctrl-C): it is stopped and its data removed at once, not once ready. */
  signal?: AbortSignal;
}

export interface LocalKafkaCluster {
  /** Every node's host:port, the bootstrap list a client gets. */
  brokers: string[];
  version: string;
  nodes: KafkaNode[];
  /** Stops every node and removes their data. */
  stop(): Promise<void>;
}

export interface LocalKafkaClusterOptions extends LocalKafkaOptions {
  /** How many KRaft nodes, each broker and controller (the quorum is all of them). */
  nodes: number;
  /** broker.session.timeout.ms: a node that died is fenced, and its partitions get new leaders, after this. */
  sessionTimeoutMs?: number;
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const cluster = await startLocalKafkaCluster({ ...options, nodes: 1 });
  const node = cluster.nodes[0]!;
  return {
    brokers: cluster.brokers,
    version: cluster.version,
    stop: () => cluster.stop(),
    crash: () => node.crash(),
    async restart() {
      const t = Date.now();
      await node.start();
      options.progress(
        `Kafka ${cluster.version} broker restarted on ${node.broker} in ${((Date.now() - t) / 1000).toFixed(1)}s`,
      );
    },
  };
}

export async function startLocalKafkaCluster(options: LocalKafkaClusterOptions): Promise<LocalKafkaCluster> {
  const { progress } = options;
  await requireCommand('java', ['-version'], 'Java 17 or newer (apt install openjdk-17-jre-headless)');
  const pom = join(projectRoot(), 'infra', 'kafka', 'pom.xml');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(await readFile(pom, 'utf8'))?.[1] ?? 'unknown';
  const classpath = await resolveClasspath(pom, version, progress);

  const quorum = await Promise.all(
    Array.from({ length: options.nodes }, async (_, i) => ({
      id: i + 1,
      port: await freePort(),
      controllerPort: await freePort(),
    })),
  );
  const clusterId = randomBytes(16).toString('base64url');
  const started = Date.now();
  const nodes = await Promise.all(
    quorum.map((spec) =>
      createKafkaNode(spec, {
        classpath,
        version,
        quorum,
        clusterId,
        heapMb: options.heapMb,
        restartable: options.restartable,
        sessionTimeoutMs: options.sessionTimeoutMs,
        signal: options.signal,
      }),
    ),
  );
  progress(
    nodes.length === 1
      ? `Kafka ${version} broker starting on ${nodes[0]!.broker} (data in ${nodes[0]!.dataDir})`
      : `Kafka ${version} cluster of ${nodes.length} KRaft nodes starting on ${nodes.map((n) => n.broker).join(', ')}`,
  );
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
  };
  try {
    // Together: a node of a cluster answers only once a majority of the quorum runs.
    await Promise.all(nodes.map((n) => n.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  const brokers = nodes.map((n) => n.broker);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  progress(
    nodes.length === 1
      ? `Kafka ${version} broker ready on ${brokers[0]} in ${seconds}s (data in ${nodes[0]!.dataDir})`
      : `Kafka ${version} cluster of ${nodes.length} KRaft nodes ready on ${brokers.join(', ')} in ${seconds}s`,
  );
  return { brokers, version, nodes, stop };
}

async function resolveClasspath(pom: string, version: string, progress: (m: string) => void): Promise<string> {
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hunt-matcher', 'kafka');
  await mkdir(cacheDir, { recursive: true });
  const digest = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex')
    .slice(0, 16);
  const file = join(cacheDir, `classpath-${version}-${digest}.txt`);
  if (existsSync(file)) {
    const classpath = (await readFile(file, 'utf8')).trim();
    if (classpath.split(':').every((jar) => existsSync(jar))) return classpath;
  }
  await requireCommand('mvn', ['-v'], 'Apache Maven (apt install maven), or Docker, or set KAFKA_BROKERS');
  progress(`Resolving Apache Kafka ${version} from Maven Central (first run only, about a minute)...`);
  const started = Date.now();
  const mvn = spawn('mvn', ['-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let downloads = 0;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) {
      if (/Downloaded from/.test(line) && ++downloads % 10 === 0) progress(`  ... ${downloads} artifacts downloaded`);
    }
  };
  mvn.stdout.on('data', onData);
  mvn.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve) => mvn.once('exit', resolve));
  if (code !== 0 || !existsSync(file)) {
    throw new Error(`Maven could not resolve Kafka ${version} (exit ${code}):\n${output.slice(-3000)}`);
  }
  progress(
    `Resolved Kafka ${version} (${downloads} downloads) in ${((Date.now() - started) / 1000).toFixed(1)}s; cached in ${cacheDir}`,
  );
  return (await readFile(file, 'utf8')).trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function requireCommand(command: string, args: string[], install: string) {
  try {
    await run(command, args, { timeout: 30_000 });
  } catch {
    throw new Error(`'${command}' was not found. To run a local Kafka broker without Docker, install ${install}.`);
  }
}
