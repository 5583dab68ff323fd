// A real Confluent-compatible schema registry for machines without Docker: Apicurio Registry, the
// packaged Quarkus application Maven Central publishes (infra/schema-registry/pom.xml), with in-memory
// storage. Maven resolves the archive once (into ~/.m2), it is unpacked once into the user's cache,
// and each start runs `java -jar apicurio-registry-app-<version>-runner.jar` on a free loopback port
// under infra/schema-registry/run-registry.sh, which stops it when its owner dies. Its Confluent API
// (what the service and every Kafka tool speak) is at /apis/ccompat/v7.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../platform/projectRoot.js';
import { freePort } from './localKafka.js';

const run = promisify(execFile);

/** The Confluent-compatible API of an Apicurio Registry, under its root URL. */
export const CCOMPAT_PATH = '/apis/ccompat/v7';

export interface LocalSchemaRegistry {
  /** The Confluent-compatible API, e.g. http://127.0.0.1:40123/apis/ccompat/v7: what SCHEMA_REGISTRY_URL takes. */
  url: string;
  version: string;
  stop(): Promise<void>;
}

export async function startLocalSchemaRegistry(options: {
  progress: (message: string) => void;
}): Promise<LocalSchemaRegistry> {
  const { progress } = options;
  const pom = join(projectRoot(), 'infra', 'schema-registry', 'pom.xml');
  const version = /<apicurio\.version>([^<]+)<\/apicurio\.version>/.exec(await readFile(pom, 'utf8'))?.[1] ?? 'unknown';
  const jar = await unpackedApplication(pom, version, progress);
  const port = await freePort();
  const workDir = await mkdtemp(join(tmpdir(), 'hunt-matcher-registry-'));
  const url = `http://127.0.0.1:${port}${CCOMPAT_PATH}`;
  const started = Date.now();
  const watchdog: ChildProcess = spawn(
    join(projectRoot(), 'infra', 'schema-registry', 'run-registry.sh'),
    [
      String(process.pid),
      workDir,
      'java',
      // A registry of a few dozen schemas: a small heap, the serial collector and the client compiler
      // start it soon and keep it light beside the broker and the tests on a small machine.
      '-Xms64m',
      '-Xmx384m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${port}`,
      '-jar',
      jar,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let watchdogErr = '';
  watchdog.stderr?.on('data', (chunk: Buffer) => (watchdogErr += chunk.toString()));
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  const onExit = () => watchdog.kill('SIGTERM');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (watchdog.exitCode === null) watchdog.kill('SIGTERM');
    await exited;
    await rm(`${workDir}.log`, { force: true });
  };
  try {
    await waitForRegistry(url, { timeoutMs: 120_000, alive: () => watchdog.exitCode === null });
  } catch (error) {
    await stop();
    const tail = await readFile(`${workDir}.log`, 'utf8').catch(() => '');
    throw new Error(
      `Apicurio Registry ${version} did not become ready: ${(error as Error).message}\n${watchdogErr}\n--- registry.log (tail) ---\n${tail.slice(-4000)}`,
    );
  }
  progress(`Apicurio Registry ${version} ready on ${url} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { url, version, stop };
}

/** Resolves once the registry's Confluent API answers a listing of its subjects. */
export async function waitForRegistry(url: string, options: { timeoutMs: number; alive?: () => boolean }) {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (options.alive && !options.alive()) throw new Error('the registry process exited during start-up');
    try {
      const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the schema registry at ${url} is not ready after ${options.timeoutMs} ms (${String(last)})`);
}

/** The application's runner jar, unpacked once into the user's cache from the archive Maven resolves. */
async function unpackedApplication(pom: string, version: string, progress: (m: string) => void): Promise<string> {
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hunt-matcher', 'schema-registry');
  const appDir = join(cacheDir, `apicurio-registry-${version}`);
  const jar = join(appDir, `apicurio-registry-app-${version}-runner.jar`);
  if (existsSync(jar)) return jar;
  await mkdir(cacheDir, { recursive: true });
  const archiveList = join(cacheDir, `archive-${version}.txt`);
  if (!existsSync(archiveList)) {
    await requireMaven();
    progress(`Resolving Apicurio Registry ${version} from Maven Central (first run only, 140 MB)...`);
    const started = Date.now();
    try {
      await run('mvn', ['-B', '-q', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${archiveList}`], {
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `Maven could not resolve Apicurio Registry ${version}: ${e.message}\n${(e.stdout ?? '').slice(-3000)}${(e.stderr ?? '').slice(-2000)}`,
      );
    }
    progress(`Resolved Apicurio Registry ${version} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  const archive = (await readFile(archiveList, 'utf8')).trim().split(':')[0]!;
  if (!existsSync(archive)) {
    await rm(archiveList, { force: true });
    throw new Error(`the Apicurio archive ${archive} is gone from the Maven repository: start again to resolve it`);
  }
  // Unpacked beside the final directory, then renamed: a start that dies halfway, or two at once,
  // never leave a half-unpacked application behind the name.
  const scratch = await mkdtemp(join(cacheDir, 'unpacking-'));
  try {
    await run('tar', ['xzf', archive, '-C', scratch], { timeout: 300_000 });
    await rename(scratch, appDir).catch((error: unknown) => {
      if (!existsSync(jar)) throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!existsSync(jar)) throw new Error(`the Apicurio archive ${archive} holds no ${jar}`);
  return jar;
}

async function requireMaven() {
  try {
    await run('mvn', ['-v'], { timeout: 30_000 });
  } catch {
    throw new Error(
      "'mvn' was not found. To run a local schema registry without Docker, install Apache Maven (apt install maven), or set SCHEMA_REGISTRY_URL",
    );
  }
}
