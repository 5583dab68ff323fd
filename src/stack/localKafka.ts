// A real Apache Kafka broker from Maven Central jars, for machines without Docker.
// Maven resolves the classpath once (cached outside the repository); each start formats a fresh
// single-node KRaft storage directory and runs kafka.Kafka on free loopback ports.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../platform/projectRoot.js';
import { waitForKafka } from './waitForKafka.js';

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
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const { progress } = options;
  await requireCommand('java', ['-version'], 'Java 17 or newer (apt install openjdk-17-jre-headless)');
  const pom = join(projectRoot(), 'infra', 'kafka', 'pom.xml');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(await readFile(pom, 'utf8'))?.[1] ?? 'unknown';
  const classpath = await resolveClasspath(pom, version, progress);

  const dataDir = await mkdtemp(join(tmpdir(), 'hunt-matcher-kafka-'));
  const [port, controllerPort] = await Promise.all([freePort(), freePort()]);
  const properties = brokerProperties({ dataDir, port, controllerPort });
  await writeFile(join(dataDir, 'server.properties'), properties);

  const started = Date.now();
  const java = ['java', `-Xms${options.heapMb ?? 256}m`, `-Xmx${options.heapMb ?? 512}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
  const log4j = `-Dlog4j2.configurationFile=${join(projectRoot(), 'infra', 'kafka', 'log4j2.properties')}`;
  const clusterId = randomBytes(16).toString('base64url');
  try {
    await run('java', ['-Xmx256m', log4j, '-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', join(dataDir, 'server.properties')], {
      timeout: 60_000,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`formatting the Kafka storage failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
  }

  const brokers = [`127.0.0.1:${port}`];
  const launch = async () => {
    const watchdog = spawn(
      join(projectRoot(), 'infra', 'kafka', 'run-broker.sh'),
      [String(process.pid), dataDir, ...java, log4j, '-cp', classpath, 'kafka.Kafka', join(dataDir, 'server.properties')],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEEP_DATA_ON_BROKER_EXIT: options.restartable ? '1' : '0' } },
    );
    let watchdogErr = '';
    watchdog.stderr?.on('data', (chunk: Buffer) => (watchdogErr += chunk.toString()));
    const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
    const onExit = () => watchdog.kill('SIGTERM');
    process.once('exit', onExit);
    try {
      await waitForKafka(brokers, { timeoutMs: 90_000, alive: () => watchdog.exitCode === null });
    } catch (error) {
      watchdog.kill('SIGTERM');
      await exited;
      const log = await readFile(`${dataDir}.log`, 'utf8').catch(() => readFile(join(dataDir, 'broker.log'), 'utf8').catch(() => ''));
      throw new Error(`Kafka ${version} did not become ready: ${(error as Error).message}\n${watchdogErr}\n--- broker.log (tail) ---\n${log.slice(-4000)}`);
    }
    return { watchdog, exited, onExit };
  };
  let current = await launch();
  progress(`Kafka ${version} broker ready on ${brokers[0]} in ${((Date.now() - started) / 1000).toFixed(1)}s (data in ${dataDir})`);

  return {
    brokers,
    version,
    async stop() {
      process.removeListener('exit', current.onExit);
      if (current.watchdog.exitCode === null) current.watchdog.kill('SIGTERM');
      await current.exited;
      await rm(dataDir, { recursive: true, force: true });
    },
    async crash() {
      if (!options.restartable) throw new Error('crash() needs a broker started with restartable: true');
      const pid = Number((await readFile(join(dataDir, 'broker.pid'), 'utf8')).trim());
      process.kill(pid, 'SIGKILL');
      process.removeListener('exit', current.onExit);
      await current.exited;
    },
    async restart() {
      if (!options.restartable) throw new Error('restart() needs a broker started with restartable: true');
      const t = Date.now();
      current = await launch();
      progress(`Kafka ${version} broker restarted on ${brokers[0]} in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    },
  };
}

function brokerProperties(o: { dataDir: string; port: number; controllerPort: number }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(o.dataDir, 'data')}`,
    // A single node: every internal topic has one replica, and few partitions so it starts fast.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Consumer groups form at once, and a killed member is noticed quickly in tests.
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    // Topics are created explicitly by the service (allowAutoTopicCreation is off everywhere).
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.segment.bytes=67108864',
    'log.retention.check.interval.ms=60000',
  ].join('\n');
}

async function resolveClasspath(pom: string, version: string, progress: (m: string) => void): Promise<string> {
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hunt-matcher', 'kafka');
  await mkdir(cacheDir, { recursive: true });
  const digest = createHash('sha256').update(await readFile(pom)).digest('hex').slice(0, 16);
  const file = join(cacheDir, `classpath-${version}-${digest}.txt`);
  if (existsSync(file)) {
    const classpath = (await readFile(file, 'utf8')).trim();
    if (classpath.split(':').every((jar) => existsSync(jar))) return classpath;
  }
  await requireCommand('mvn', ['-v'], 'Apache Maven (apt install maven), or Docker, or set KAFKA_BROKERS');
  progress(`Resolving Apache Kafka ${version} from Maven Central (first run only, about a minute)...`);
  const started = Date.now();
  const mvn = spawn('mvn', ['-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  progress(`Resolved Kafka ${version} (${downloads} downloads) in ${((Date.now() - started) / 1000).toFixed(1)}s; cached in ${cacheDir}`);
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
