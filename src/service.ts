// The composition root: wires configuration, pools, clients and the roles this process runs.
// Nothing below reads process.env; everything receives what it needs.
import type { Admin } from 'kafkajs';
import type { Config, Role } from './config.js';
import { createCodec, type Codec } from './events/codec.js';
import { createTopics, ensureTopics, type Topics } from './events/topics.js';
import { createDb, type Db } from './db/knex.js';
import { createHttpApp, type HttpApp } from './http/app.js';
import { registerHealthRoutes } from './http/routes/healthRoutes.js';
import { createKafka, createProducer } from './platform/kafka.js';
import type { Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { createOutbox, type Outbox } from './outbox/enqueue.js';
import { createRelay, type Relay } from './outbox/relay.js';
import type { PipelineDeps } from './consumers/pipeline/pipeline.js';
import type { Kafka } from 'kafkajs';

export interface Clock {
  now(): Date;
}

/** What every role is built from. */
export interface ServiceContext {
  config: Config;
  log: Logger;
  clock: Clock;
  db: Db;
  kafka: Kafka;
  admin: Admin;
  codec: Codec;
  topics: Topics;
  outbox: Outbox;
  metrics: Metrics;
  pipeline: PipelineDeps;
}

export interface RoleHandle {
  stop(): Promise<void>;
}

export interface Service {
  app: HttpApp;
  /** http://host:port the HTTP server listens on. */
  url: string;
  context: ServiceContext;
  relay?: Relay;
  roles: Map<Role, RoleHandle>;
  stop(): Promise<void>;
}

export type RoleStarter = (ctx: ServiceContext, app: HttpApp) => Promise<RoleHandle>;

export interface StartOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Called when the process cannot go on (a consumer crashed for good). Defaults to exit(1). */
  onFatal?: (error: Error) => void;
  /** Role implementations; the default set lives in roles.ts. */
  roles: Partial<Record<Role, RoleStarter>>;
}

export async function startService(options: StartOptions): Promise<Service> {
  const { config, log } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const metrics = createMetrics();
  const db = createDb(config.databaseUrl, { poolMax: config.databasePoolMax, applicationName: `hunt-matcher:${config.instanceId}` });
  const codec = createCodec();
  const topics = createTopics(config.topics.prefix);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, log });
  const admin = kafka.admin();
  const outbox = createOutbox({ codec, topics, shards: config.outbox.shards, now: () => clock.now() });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log.error({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    await admin.connect();
    stops.push(() => admin.disconnect());
    stops.push(() => db.destroy());
    const created = await ensureTopics(admin, topics, config.topics);
    if (created.length > 0) log.info({ topics: created }, 'topics created');

    const dlqProducer = createProducer(kafka);
    await dlqProducer.connect();
    stops.push(() => dlqProducer.disconnect());
    const pipeline: PipelineDeps = {
      kafka,
      db,
      codec,
      topics,
      log,
      metrics,
      dlqProducer,
      concurrency: config.consumers.concurrency,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      inboxRetentionDays: config.consumers.inboxRetentionDays,
      onFatal:
        options.onFatal ??
        ((error) => {
          log.fatal({ err: error }, 'fatal error; exiting so that the supervisor restarts the process');
          process.exit(1);
        }),
    };

    const context: ServiceContext = { config, log, clock, db, kafka, admin, codec, topics, outbox, metrics, pipeline };
    const app = createHttpApp(log);
    registerHealthRoutes({ db, admin, metrics })(app);

    const roles = new Map<Role, RoleHandle>();
    // Roles stop in reverse order of start, after the HTTP server stopped taking requests; a role
    // is registered as soon as it runs, so a failed start stops the ones before it.
    const addRole = (role: Role, handle: RoleHandle) => {
      roles.set(role, handle);
      stops.push(async () => {
        await handle.stop();
        log.info({ role }, 'role stopped');
      });
    };
    let relay: Relay | undefined;
    if (config.roles.has('relay')) {
      relay = createRelay({
        db,
        databaseUrl: config.databaseUrl,
        kafka,
        log,
        metrics,
        shards: config.outbox.shards,
        batchSize: config.outbox.batchSize,
        pollMs: config.outbox.pollMs,
        maxAgeWarnMs: config.outbox.maxAgeWarnMs,
      });
      await relay.start();
      const r = relay;
      addRole('relay', { stop: () => r.stop() });
    }
    for (const role of config.roles) {
      if (role === 'relay') continue;
      const starter = options.roles[role];
      if (!starter) throw new Error(`role ${role} is not available in this build`);
      addRole(role, await starter(context, app));
    }

    await app.listen({ port: config.port, host: config.host });
    stops.push(() => app.close());
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    log.info({ url, roles: [...roles.keys()], topicPrefix: config.topics.prefix || undefined }, 'hunt-matcher started');

    let stopped: Promise<void> | undefined;
    return { app, url, context, relay, roles, stop: () => (stopped ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
