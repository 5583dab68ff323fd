// One KRaft node (broker and controller in one JVM) of a local Kafka, from the Maven jars that
// localKafka.ts resolves: its properties, its storage formatted once, and its JVM run under the
// watchdog (infra/kafka/run-broker.sh), which stops it when the owner dies. A node can be killed
// (SIGKILL), stopped cleanly (SIGTERM: a controlled shutdown that hands its leaderships over first) and
// started again on the same data and ports, for the fault tests.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../platform/projectRoot.js';
import { waitForKafka } from './waitForKafka.js';

const run = promisify(execFile);

export interface KafkaNode {
  /** The node.id, from 1. */
  id: number;
  /** host:port of its PLAINTEXT listener. */
  broker: string;
  dataDir: string;
  running(): boolean;
  /** Kills the JVM with SIGKILL: no controlled shutdown, data kept (needs `restartable`). */
  crash(): Promise<void>;
  /** SIGTERM to the JVM: a controlled shutdown, data kept (needs `restartable`). */
  stop(): Promise<void>;
  /** Starts the JVM again on the same data and ports, and waits until it answers. */
  start(): Promise<void>;
  /** Stops the JVM, if it runs, and removes the data. */
  destroy(): Promise<void>;
}

export interface NodeSpec {
  id: number;
  port: number;
  controllerPort: number;
}

export interface NodeOptions {
  classpath: string;
  version: string;
  /** Every node of the cluster: they are its controller quorum. */
  quorum: NodeSpec[];
  clusterId: string;
  /** The broker's heap (-Xms and -Xmx), 1024 MB when not given: Kafka's own default. */
  heapMb?: number;
  restartable?: boolean;
  /** broker.session.timeout.ms: how long the controller waits before it fences a node that stopped heartbeating. */
  sessionTimeoutMs?: number;
  /** Aborted while the node starts: the start gives up at once (the caller then destroys the node). */
  signal?: AbortSignal;
}

const log4j = () => `-Dlog4j2.configurationFile=${join(projectRoot(), 'infra', 'kafka', 'log4j2.properties')}`;

/** Writes and formats the node's storage; the JVM starts with start(). */
export async function createKafkaNode(spec: NodeSpec, o: NodeOptions): Promise<KafkaNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hunt-matcher-kafka-'));
  await writeFile(join(dataDir, 'server.properties'), nodeProperties(spec, o, dataDir));
  await formatStorage(o, dataDir);
  const broker = `127.0.0.1:${spec.port}`;
  const java = jvmArguments(o.heapMb ?? 1024);
  let current: RunningNode | undefined;

  const launch = () => launchNode(spec, o, dataDir, java, (running) => (current = running));
  /** Signals the JVM itself (the watchdog then exits, keeping the data), and waits for the watchdog. */
  const signalJvm = async (signal: NodeJS.Signals) => {
    if (!o.restartable)
      throw new Error(`node ${spec.id}: crash() and stop() need a node started with restartable: true`);
    if (!current) return;
    const pid = Number((await readFile(join(dataDir, 'broker.pid'), 'utf8')).trim());
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    process.removeListener('exit', current.onExit);
    await current.exited;
    current = undefined;
  };

  return {
    id: spec.id,
    broker,
    dataDir,
    running: () => current !== undefined && current.watchdog.exitCode === null,
    crash: () => signalJvm('SIGKILL'),
    stop: () => signalJvm('SIGTERM'),
    async start() {
      if (current) throw new Error(`node ${spec.id} is running already`);
      await launch();
    },
    async destroy() {
      if (current) {
        process.removeListener('exit', current.onExit);
        if (current.watchdog.exitCode === null) current.watchdog.kill('SIGTERM');
        await current.exited;
        current = undefined;
      }
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}.log`, { force: true });
    },
  };
}

/** The node's watchdog and JVM, while they run. */
interface RunningNode {
  watchdog: ChildProcess;
  exited: Promise<void>;
  onExit: () => void;
}

/** Spawns the node (`spawned` is told at once, before it is ready) and waits until its broker answers. */
async function launchNode(
  spec: NodeSpec,
  o: NodeOptions,
  dataDir: string,
  java: ReturnType<typeof jvmArguments>,
  spawned: (running: RunningNode) => void,
): Promise<void> {
  const watchdog = spawnWatchdog(o, dataDir, java);
  let watchdogErr = '';
  watchdog.stderr?.on('data', (chunk: Buffer) => (watchdogErr += chunk.toString()));
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  const onExit = () => watchdog.kill('SIGTERM');
  process.once('exit', onExit);
  spawned({ watchdog, exited, onExit });
  try {
    // A node of a cluster answers once a majority of the quorum runs: the caller starts them together.
    await waitForKafka([`127.0.0.1:${spec.port}`], {
      timeoutMs: 90_000,
      alive: () => watchdog.exitCode === null && !o.signal?.aborted,
    });
  } catch (error) {
    watchdog.kill('SIGTERM');
    await exited;
    throw new Error(
      `Kafka ${o.version} node ${spec.id} did not become ready: ${(error as Error).message}\n${watchdogErr}\n--- broker.log (tail) ---\n${await brokerLogTail(dataDir)}`,
    );
  }
}

function nodeProperties(spec: NodeSpec, o: NodeOptions, dataDir: string) {
  const n = o.quorum.length;
  // Internal topics are replicated like the service's: three copies (or as many as there are nodes),
  // two of them in sync for a write.
  const replicas = Math.min(3, n);
  const minIsr = Math.min(2, n);
  return [
    'process.roles=broker,controller',
    `node.id=${spec.id}`,
    `controller.quorum.voters=${o.quorum.map((q) => `${q.id}@127.0.0.1:${q.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${spec.port},CONTROLLER://127.0.0.1:${spec.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${spec.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'data')}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=4',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=4',
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // The default of topics that set none (the internal ones); the service sets its own on its topics.
    `min.insync.replicas=${minIsr}`,
    // Kafka's default, said out loud: a replica out of sync never becomes leader (it would lose writes).
    'unclean.leader.election.enable=false',
    ...(o.sessionTimeoutMs
      ? [
          `broker.session.timeout.ms=${o.sessionTimeoutMs}`,
          `broker.heartbeat.interval.ms=${Math.max(250, Math.floor(o.sessionTimeoutMs / 4))}`,
        ]
      : []),
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

/** Formats the node's storage for the cluster (KRaft); the data directory is removed when that fails. */
async function formatStorage(o: NodeOptions, dataDir: string) {
  try {
    await run(
      'java',
      [
        '-Xmx256m',
        log4j(),
        '-cp',
        o.classpath,
        'kafka.tools.StorageTool',
        'format',
        `--cluster-id=${o.clusterId}`,
        '-c',
        join(dataDir, 'server.properties'),
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(
      `formatting the Kafka storage failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
    );
  }
}

// The JVM as Kafka's own start scripts run it by default: a fixed 1 GB heap, G1 with these pause and
// occupancy settings. A smaller heap is a false economy on a loaded machine: G1's concurrent marking
// and GC threads then take a large share of the broker's CPU, which the service needs under load.
function jvmArguments(heap: number): string[] {
  return [
    'java',
    `-Xms${heap}m`,
    `-Xmx${heap}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
  ];
}

/** The end of the broker's log, where it says why it did not start. */
async function brokerLogTail(dataDir: string): Promise<string> {
  const tail = await readFile(`${dataDir}.log`, 'utf8').catch(() =>
    readFile(join(dataDir, 'broker.log'), 'utf8').catch(() => ''),
  );
  return tail.slice(-4000);
}

/** The broker under infra/kafka/run-broker.sh, which stops it when this process dies. */
function spawnWatchdog(o: NodeOptions, dataDir: string, java: string[]) {
  return spawn(
    join(projectRoot(), 'infra', 'kafka', 'run-broker.sh'),
    [
      String(process.pid),
      dataDir,
      ...java,
      log4j(),
      '-cp',
      o.classpath,
      'kafka.Kafka',
      join(dataDir, 'server.properties'),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, KEEP_DATA_ON_BROKER_EXIT: o.restartable ? '1' : '0' },
    },
  );
}
