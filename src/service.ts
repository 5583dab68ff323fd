// The composition root: wires configuration, pools, clients and the roles this process runs. Each
// role receives only what it uses, by closure; nothing under src/ imports this module but the
// entry points (main.ts, dev.ts), and the test and bench harnesses.
import type { Kafka } from 'kafkajs';
import type { Config, Role } from './config.js';
import { createPipeline } from './consumers/pipeline/pipeline.js';
import { startMatcher } from './consumers/matcher/matcherRole.js';
import { startSender } from './consumers/sender/senderRole.js';
import { startWebhooks } from './consumers/webhooks/webhooksRole.js';
import { startRetention } from './db/retention.js';
import { startTableUpkeep } from './db/tableUpkeep.js';
import { createDb } from './db/knex.js';
import { createCodec } from './events/codec.js';
import { createSchemaRegistryClient } from './events/schemaRegistry.js';
import { confluentWriter, singleObjectWriter } from './events/wireFormat.js';
import { createTopics, ensureTopics } from './events/topics.js';
import { packageVersion } from './platform/projectRoot.js';
import { assertDependenciesPatched } from './platform/patchedDependencies.js';
import { createHttpApp, type HttpApp } from './http/app.js';
import { registerAccountRoutes } from './http/routes/accountRoutes.js';
import { registerAdRoutes } from './http/routes/adRoutes.js';
import { registerHealthRoutes, type RoleState } from './http/routes/healthRoutes.js';
import { registerHuntRoutes } from './http/routes/huntRoutes.js';
import { registerHuntToolsRoutes } from './http/routes/huntToolsRoutes.js';
import { registerLeadRoutes } from './http/routes/leadRoutes.js';
import { registerGatewayRoutes } from './http/routes/gatewayRoutes.js';
import { registerOptOutRoutes } from './http/routes/optoutRoutes.js';
import { registerLobstrWebhook } from './http/routes/lobstrWebhookRoutes.js';
import { registerOpsRoutes } from './http/routes/opsRoutes.js';
import { registerOpsMessagingRoutes } from './http/routes/opsMessagingRoutes.js';
import { registerOpsImporterRoutes } from './http/routes/opsImporterRoutes.js';
import { registerTickRoutes } from './http/routes/tickRoutes.js';
import { registerTwilioRoutes } from './http/routes/twilioRoutes.js';
import { registerWebhookRoutes } from './http/routes/webhookRoutes.js';
import { registerOpsWebhookRoutes } from './http/routes/opsWebhookRoutes.js';
import { registerBrevoRoutes } from './http/routes/brevoRoutes.js';
import { startImporter } from './importer/importerRole.js';
import { importerReport } from './importer/phoneReport.js';
import { createDeadLetters } from './ops/deadLetters.js';
import { createPipelineFigures } from './ops/pipelineFigures.js';
import { createOutbox, type Outbox } from './outbox/enqueue.js';
import { startRelay } from './outbox/relay.js';
import { systemClock, type Clock } from './platform/clock.js';
import { createKafka, createProducer } from './platform/kafka.js';
import type { Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import type { RoleHandle } from './platform/roleHandle.js';
import { startReceiptReconciler } from './producers/providers/reconcileReceipts.js';
import { startScheduler } from './producers/ticks/scheduler.js';
import { isFrenchMobile } from './domain/smsSender.js';
import { createChannelProviders } from './providers/channelProviders.js';
import { pingDatabase } from './sql/ops/pingDatabase.js';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);

export interface Service {
  app: HttpApp;
  /** http://host:port the HTTP server listens on. */
  url: string;
  config: Config;
  metrics: Metrics;
  outbox: Outbox;
  kafka: Kafka;
  roles: Map<Role, RoleHandle>;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Called when the process cannot go on (a consumer crashed for good). Defaults to exit(1). */
  onFatal?: (error: Error) => void;
}

export async function startService(options: StartOptions): Promise<Service> {
  const { config, log } = options;
  assertDependenciesPatched();
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const db = createDb(config.databaseUrl, {
    poolMax: config.databasePoolMax,
    applicationName: `hunt-matcher:${config.instanceId}`,
  });
  const { wireFormat } = config;
  // With a registry, every consumer reads the Confluent format too (a topic may hold both framings).
  const registry = wireFormat.schemaRegistryUrl
    ? createSchemaRegistryClient({ url: wireFormat.schemaRegistryUrl, timeoutMs: wireFormat.registryTimeoutMs })
    : undefined;
  const codec = createCodec(registry ? { registry } : {});
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

  // The HTTP server listens first: /healthz answers from the start, and the API (which needs only the
  // database: the outbox keeps what arrives) takes writes while the consumers are still joining.
  // Dead letters are published, and replayed from the console, with the same producer (connected below).
  const dlqProducer = createProducer(kafka);
  const app = await createHttpApp(log, { validateResponses: config.validateResponses, version: packageVersion() });
  const roleStates = new Map<Role, RoleState>([...config.roles].map((r) => [r, 'starting' as RoleState]));
  const { squids, reconcileEveryMs } = config.lobstr;
  const details = config.roles.has('importer')
    ? { importer: () => importerReport(db, { squids, everyMs: reconcileEveryMs }) }
    : undefined;
  registerHealthRoutes({ db, admin, metrics, roles: roleStates, ...(details ? { details } : {}) })(app);
  const { tokens } = config;
  if (config.roles.has('api')) {
    registerAdRoutes({ db, outbox, clock, metrics, ingestToken: tokens.ingest })(app);
    registerHuntRoutes({
      db,
      outbox,
      clock,
      apiToken: tokens.api,
      contactHoursDefault: config.contactHoursDefault,
      checkBrands: config.checkBrands,
      sms: config.providers.outreach,
    })(app);
    registerHuntToolsRoutes({
      db,
      clock,
      apiToken: tokens.api,
      backfillDays: config.matching.backfillDays,
      checkBrands: config.checkBrands,
    })(app);
    registerAccountRoutes({
      db,
      clock,
      apiToken: tokens.api,
      sending: {
        providers: [...new Set(Object.values(config.providers.map))],
        smsProvider: config.providers.map.sms,
        smsSender: config.providers.outreach.smsSender,
        optOutMention: config.providers.outreach.optOutMention,
      },
    })(app);
    registerLeadRoutes({ db, apiToken: tokens.api })(app);
    registerWebhookRoutes({ db, clock, apiToken: tokens.api, policy: config.webhooks })(app);
    registerTickRoutes({ db, outbox, clock, timeZone: config.tick.timeZone, cronSecret: tokens.cron })(app);
    registerLobstrWebhook({ db, outbox, clock, webhookSecret: tokens.lobstrWebhook })(app);
    registerOptOutRoutes({ db, outbox, clock, metrics, apiToken: tokens.api })(app);
    const rules = { timeZone: config.tick.timeZone, probeEveryMs: config.providers.probeEveryMs };
    registerGatewayRoutes({ db, outbox, clock, metrics, rules, webhookSecret: tokens.gatewayWebhook })(app);
    const { twilio, brevo, publicBaseUrl } = config.providers;
    if (twilio)
      registerTwilioRoutes({
        db,
        outbox,
        clock,
        metrics,
        rules,
        authToken: twilio.authToken,
        publicBaseUrl: publicBaseUrl ?? '',
      })(app);
    if (brevo) registerBrevoRoutes({ db, outbox, clock, metrics, rules, webhookSecrets: brevo.webhookSecrets })(app);
    registerOpsRoutes({
      db,
      opsToken: tokens.ops,
      apiToken: tokens.api,
      deadLetters: createDeadLetters({ kafka, admin, producer: dlqProducer, topics, now: () => clock.now() }),
      figures: createPipelineFigures({ admin, topics }),
      metrics,
      clock,
    })(app);
    registerOpsMessagingRoutes({ db, opsToken: tokens.ops, clock })(app);
    registerOpsImporterRoutes({ db, opsToken: tokens.ops })(app);
    registerOpsWebhookRoutes({ db, opsToken: tokens.ops })(app);
    if (!tokens.ops) log.warn('OPS_TOKEN is not set: the console at /ops refuses every token');
  }
  stops.push(() => db.destroy());
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await stopAll();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (isFrenchMobile(config.providers.outreach.smsSender))
    log.warn(
      { sender: config.providers.outreach.smsSender!.value },
      'SMS go out from a French mobile number: French operators do not carry business SMS from one (docs/providers.md, section 2); use an alphanumeric sender ID or a short code',
    );
  if (config.roles.has('api')) roleStates.set('api', 'running');
  log.info({ url }, 'http listening');
  // Autovacuum's work on a server without it (src/db/tableUpkeep.ts); nothing waits for it.
  const upkeep = startTableUpkeep({
    databaseUrl: config.databaseUrl,
    log,
    ...config.tableUpkeep,
    onAction: (table, action) => metrics.tableUpkeep.inc({ table, action }),
  });
  stops.push(() => upkeep.stop());
  // Bounded storage (src/db/retention.ts): one instance at a time; nothing waits for it.
  const retention = startRetention({
    databaseUrl: config.databaseUrl,
    log,
    now: () => clock.now(),
    ...config.retention,
    onDeleted: (table, rows) => metrics.retentionDeleted.inc({ table }, rows),
  });
  stops.push(() => retention.stop());
  const roles = new Map<Role, RoleHandle>();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Stop taking requests first, then the roles in reverse order of start.
      await app.close().catch((error: unknown) => log.error({ err: error }, 'error while closing the HTTP server'));
      await stopAll();
    })());

  try {
    await admin.connect();
    stops.push(() => admin.disconnect());
    const created = await ensureTopics(admin, topics, config.topics);
    if (created.length > 0) log.info({ topics: created }, 'topics created');

    await dlqProducer.connect();
    stops.push(() => dlqProducer.disconnect());
    const consume = createPipeline({
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
      probe: async () => {
        await withTimeout(pingDatabase(db), 2000);
        return (await withTimeout(admin.describeCluster(), 2000)).brokers.length > 0;
      },
      onFatal:
        options.onFatal ??
        ((error) => {
          log.fatal({ err: error }, 'fatal error; exiting so that the supervisor restarts the process');
          process.exit(1);
        }),
    });

    // What each role that consumes topics and writes to the outbox takes (matcher, sender, importer).
    const outboxConsumerDeps = { db, consume, outbox, clock, log, metrics };
    const starters: Record<Exclude<Role, 'api'>, () => Promise<RoleHandle>> = {
      relay: () =>
        startRelay({
          db,
          databaseUrl: config.databaseUrl,
          kafka,
          log,
          metrics,
          shards: config.outbox.shards,
          batchSize: config.outbox.batchSize,
          pollMs: config.outbox.pollMs,
          maxAgeWarnMs: config.outbox.maxAgeWarnMs,
          hopOfTopic: new Map([
            [topics.name('ads.scraped'), 'ingest_to_publish'],
            [topics.name('messages.send'), 'match_to_publish'],
          ]),
          wire:
            wireFormat.format === 'confluent' && registry
              ? confluentWriter({ codec, registry, topics })
              : singleObjectWriter,
        }),
      matcher: () =>
        startMatcher({
          ...outboxConsumerDeps,
          settings: {
            ...config.matching,
            timeZone: config.tick.timeZone,
            tickConcurrency: config.tick.concurrency,
            outreach: {
              optOutMention: config.providers.outreach.optOutMention,
              senderNameDefault: config.providers.outreach.senderNameDefault,
            },
          },
        }),
      sender: async () => {
        const { map, publicBaseUrl, twilio, brevo } = config.providers;
        const providers = createChannelProviders({ map, publicBaseUrl, gateway: config.gateway, twilio, brevo }, () =>
          clock.now(),
        );
        const sender = await startSender({
          ...outboxConsumerDeps,
          providers,
          sending: config.sending,
        });
        // Lost callbacks read back at the providers the sender sends through (stopped before it closes them).
        const reconciler = startReceiptReconciler({
          db,
          outbox,
          clock,
          log,
          metrics,
          rules: { timeZone: config.tick.timeZone, probeEveryMs: config.providers.probeEveryMs },
          provider: (name) => providers.named(name),
          afterMs: config.providers.reconcileAfterMs,
          pollMs: Math.min(60_000, Math.max(config.sending.pollMs, config.providers.reconcileAfterMs / 2)),
        });
        return {
          async stop() {
            await reconciler.stop();
            await sender.stop();
          },
        };
      },
      importer: () => startImporter({ ...outboxConsumerDeps, lobstr: config.lobstr }),
      scheduler: () =>
        startScheduler({ db, outbox, clock, log, tickAt: config.tick.at, timeZone: config.tick.timeZone }),
      webhooks: () =>
        startWebhooks({ db, consume, clock, signingClock: systemClock, log, metrics, settings: config.webhooks }),
    };

    // Roles stop in reverse order of start, after the HTTP server stopped taking requests; a role
    // is registered as soon as it runs, so a failed start stops the ones before it. The relay
    // starts first, so that what the other roles write at start is published.
    const order = [...config.roles]
      .filter((r): r is Exclude<Role, 'api'> => r !== 'api')
      .sort((a, b) => (a === 'relay' ? -1 : b === 'relay' ? 1 : 0));
    for (const role of order) {
      let handle: RoleHandle;
      try {
        handle = await starters[role]();
      } catch (error) {
        roleStates.set(role, 'failed');
        throw error;
      }
      roles.set(role, handle);
      roleStates.set(role, 'running');
      stops.push(async () => {
        await handle.stop();
        log.info({ role }, 'role stopped');
      });
    }
    log.info({ url, roles: [...config.roles], topicPrefix: config.topics.prefix || undefined }, 'hunt-matcher started');
    return { app, url, config, metrics, outbox, kafka, roles, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
