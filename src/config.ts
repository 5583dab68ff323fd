// The only module that reads environment variables. Everything else receives a typed Config.
// A wrong or missing value stops the process with a message that names the variable.
import { hostname } from 'node:os';
import { z } from 'zod';
import { duration, durations, httpUrl as httpUrlOf, int, optionalInt, optionalText } from './config/envValues.js';
import { adWindows, longestAdWindow } from './domain/adWindows.js';
import { parseContactHours } from './domain/contactHours.js';
import { providerSettings, providerSchema } from './config/providerSettings.js';

export const ROLES = ['api', 'relay', 'matcher', 'sender', 'importer', 'scheduler', 'webhooks'] as const;
export type Role = (typeof ROLES)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const httpUrl = httpUrlOf('http://host:port');

const postgresUrl = z
  .string()
  .trim()
  .refine((u) => /^postgres(ql)?:\/\/.+/.test(u), 'must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/db');

const brokers = z
  .string()
  .trim()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)),
    'must be a comma-separated list of host:port',
  );

const roles = z
  .string()
  .trim()
  .prefault(ROLES.join(','))
  .transform((s) =>
    s
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0, 'must name at least one role')
  .refine(
    (list) => list.every((r) => (ROLES as readonly string[]).includes(r)),
    `must be a comma-separated subset of ${ROLES.join(', ')}`,
  )
  .transform((list) => new Set(list as Role[]));

// Lobstr's squid ids are 32 hex characters (e445405ef4ab41208ef7d29b92a1a9dd); any id-like token is taken.
/** The distinct items of a comma-separated list, each trimmed (and given to `each`), the empty ones left out. */
const commaSet = (s: string, each: (x: string) => string = (x) => x) => [
  ...new Set(
    s
      .split(',')
      .map((x) => each(x.trim()))
      .filter(Boolean),
  ),
];

const squidIds = z
  .string()
  .trim()
  .default('')
  .transform((s) => commaSet(s))
  .refine(
    (list) => list.every((id) => /^[A-Za-z0-9_-]{1,100}$/.test(id)),
    'must be a comma-separated list of Lobstr squid ids, e.g. e445405ef4ab41208ef7d29b92a1a9dd',
  );

const timeOfDay = z
  .string()
  .trim()
  .prefault('06:00')
  .refine((s) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s), 'must be HH:MM (24h), e.g. 06:00')
  .transform((s) => ({ hour: Number(s.slice(0, 2)), minute: Number(s.slice(3, 5)) }));

// Hosts (names or addresses, compared without case) whose webhook URLs may resolve to a loopback or
// private address: development and tests (127.0.0.1), never production.
const hostList = z
  .string()
  .trim()
  .default('')
  .transform((s) => commaSet(s, (x) => x.toLowerCase().replace(/^\[|\]$/g, '')))
  .refine(
    (list) => list.every((h) => /^[a-z0-9.:_-]{1,253}$/.test(h)),
    'must be a comma-separated list of host names or addresses, e.g. 127.0.0.1,localhost',
  );

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

const timeZone = z
  .string()
  .trim()
  .default('Europe/Paris')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Paris');

// "always", or "<ISO weekdays> <HH:MM>-<HH:MM>" (src/domain/contactHours.ts): what a new hunt gets when it gives no contactHours.
const contactHoursDefault = z
  .string()
  .trim()
  .prefault('1-6 08:00-20:00')
  .transform((s, ctx) => {
    const parsed = parseContactHours(s);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

const schema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  HTTP_VALIDATE_RESPONSES: z.enum(['true', 'false']).default('false'),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: int(10, 1, 200),
  TABLE_UPKEEP: z.enum(['on', 'off']).default('on'),
  TABLE_UPKEEP_EVERY_MS: int(5000, 100),
  KAFKA_BROKERS: brokers,
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('hunt-matcher'),
  KAFKA_SESSION_TIMEOUT_MS: int(8_000, 1000),
  KAFKA_HEARTBEAT_INTERVAL_MS: int(1000, 100),
  TOPIC_PREFIX: z
    .string()
    .trim()
    .default('')
    .refine((p) => /^[a-zA-Z0-9._-]*$/.test(p), 'may only contain letters, digits, ".", "_" and "-"'),
  TOPIC_PARTITIONS: int(6, 1, 1000),
  TOPIC_REPLICATION_FACTOR: int(1, 1, 10),
  // Unset: TOPIC_REPLICATION_FACTOR - 1 (at least 1), e.g. 2 of 3: a write is acknowledged once on all
  // replicas but one, and one broker may be down without stopping writes.
  TOPIC_MIN_INSYNC_REPLICAS: optionalInt(1, 10),
  ROLES: roles,
  INSTANCE_ID: z.string().trim().min(1).default(`${hostname()}-${process.pid}`),
  INGEST_TOKEN: optionalText,
  API_TOKEN: optionalText,
  CRON_SECRET: optionalText,
  OPS_TOKEN: optionalText,
  LOBSTR_WEBHOOK_SECRET: optionalText,
  LOBSTR_API_URL: httpUrl.default('https://api.lobstr.io'),
  LOBSTR_API_KEY: optionalText,
  LOBSTR_REQUESTS_PER_SECOND: int(2, 1, 100),
  LOBSTR_SQUIDS: squidIds,
  LOBSTR_RECONCILE_EVERY_MS: int(600_000, 1000),
  LOBSTR_RECONCILE_LOOKBACK_DAYS: int(7, 1, 365),
  MESSAGE_GATEWAY_URL: httpUrl.optional(),
  MESSAGE_GATEWAY_TOKEN: optionalText,
  MESSAGE_GATEWAY_TIMEOUT_MS: int(10_000, 100),
  ...providerSchema,
  DAILY_TICK_AT: timeOfDay,
  TICK_TIME_ZONE: timeZone,
  BACKFILL_DAYS: int(30, 0, 3650),
  CONTACT_MAX_AGE_DAYS: int(7, 0, 3650),
  CONTACT_COOLDOWN_DAYS: int(90, 0, 3650),
  CONTACT_HOURS_DEFAULT: contactHoursDefault,
  MESSAGE_GATEWAY_WEBHOOK_SECRET: optionalText,
  SEND_MAX_ATTEMPTS: int(10, 1, 100),
  SEND_RATE_PER_MINUTE: int(30, 1, 100_000),
  SEND_RETRY_BASE_MS: int(2000, 1),
  SEND_RETRY_MAX_MS: int(300_000, 1),
  SEND_LEASE_MS: int(60_000, 100),
  SEND_POLL_MS: int(1000, 10),
  SEND_CONCURRENCY: int(64, 1, 1024),
  OUTBOX_SHARDS: int(16, 1, 1024),
  OUTBOX_BATCH_SIZE: int(500, 1, 10_000),
  OUTBOX_POLL_MS: int(5000, 10),
  OUTBOX_MAX_AGE_WARN_MS: int(60_000, 1),
  CONSUMER_CONCURRENCY: int(3, 1, 64),
  MATCHER_BATCH_SIZE: int(200, 1, 10_000),
  TICK_CONCURRENCY: int(2, 1, 64),
  INBOX_RETENTION_DAYS: int(14, 1, 3650),
  // Unset: the longest window that reads ads (src/domain/adWindows.ts); shorter is refused.
  ADS_RETENTION_DAYS: optionalInt(1, 36500),
  RETENTION_EVERY_MS: int(600_000, 1000),
  RETENTION_BATCH_SIZE: int(1000, 1, 100_000),
  SHUTDOWN_TIMEOUT_MS: int(25_000, 100),
  // leboncoin: a hunt's brands must be LeBonCoin's (src/domain/leboncoinBrands.json); off: any brand.
  BRANDS_CHECK: z.enum(['leboncoin', 'off']).default('leboncoin'),
  EVENT_WIRE_FORMAT: z.enum(['single-object', 'confluent']).default('single-object'),
  SCHEMA_REGISTRY_URL: httpUrl.optional(),
  SCHEMA_REGISTRY_TIMEOUT_MS: int(5000, 100),
  WEBHOOKS_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
  WEBHOOKS_ALLOWED_HOSTS: hostList,
  // Svix's schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts over 27 h).
  WEBHOOK_RETRY_SCHEDULE: durations('5s,5m,30m,2h,5h,10h,10h'),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  WEBHOOK_DISABLE_AFTER: duration('5d'),
  WEBHOOK_POLL_MS: int(1000, 10),
  // Unset: 60 s, or the timeout and 30 s more when that is longer.
  WEBHOOK_LEASE_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(1000))
    .optional(),
  WEBHOOK_CONCURRENCY: int(32, 1, 1024),
  WEBHOOK_ENDPOINT_CONCURRENCY: int(4, 1, 64),
  LOG_LEVEL: logLevel,
  LOG_PRETTY: z.enum(['auto', 'true', 'false']).default('auto'),
});

export type Env = Record<string, string | undefined>;

function parseEnv<S extends z.ZodType>(shape: S, env: Env): z.infer<S> {
  // Empty strings count as unset, so that `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = shape.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '?');
        const message = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
        return `${name} ${message}${cleaned[name] === undefined ? '' : ` (got ${JSON.stringify(redact(name, cleaned[name]))})`}`;
      }),
    );
  }
  return parsed.data;
}

/** What the operators' tools (`npm run dlq`) need: the broker and the topic prefix, read like the service reads them. */
export function loadKafkaToolConfig(env: Env) {
  const e = parseEnv(
    schema.pick({ KAFKA_BROKERS: true, KAFKA_CLIENT_ID: true, TOPIC_PREFIX: true, LOG_LEVEL: true }),
    env,
  );
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    topicPrefix: e.TOPIC_PREFIX,
    logLevel: e.LOG_LEVEL,
  };
}

export function loadConfig(env: Env) {
  const e = parseEnv(schema, env);
  const providers = providerSettings(e, e.ROLES);
  const problems = [...requiredByRoles(e, providers.needsGateway), ...providers.problems, ...crossChecks(e)];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    /** Check every response against its route's documented schema (the test suite does; costs CPU). */
    validateResponses: e.HTTP_VALIDATE_RESPONSES === 'true',
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    /** Autovacuum's work done by the service when the server runs without it (src/db/tableUpkeep.ts). */
    tableUpkeep: { enabled: e.TABLE_UPKEEP === 'on', everyMs: e.TABLE_UPKEEP_EVERY_MS },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
    },
    topics: {
      prefix: e.TOPIC_PREFIX,
      partitions: e.TOPIC_PARTITIONS,
      replicationFactor: e.TOPIC_REPLICATION_FACTOR,
      minInsyncReplicas: minInsyncReplicasOf(e),
    },
    roles: e.ROLES,
    instanceId: e.INSTANCE_ID,
    tokens: tokensOf(e),
    lobstr: lobstrConfig(e),
    gateway: {
      url: e.MESSAGE_GATEWAY_URL ?? '',
      token: e.MESSAGE_GATEWAY_TOKEN ?? '',
      timeoutMs: e.MESSAGE_GATEWAY_TIMEOUT_MS,
    },
    /** Which provider sends each channel, each provider's settings, and the French rules for commercial SMS. */
    providers: providers.value,
    tick: { at: e.DAILY_TICK_AT, timeZone: e.TICK_TIME_ZONE, concurrency: e.TICK_CONCURRENCY },
    matching: {
      backfillDays: e.BACKFILL_DAYS,
      contactMaxAgeDays: e.CONTACT_MAX_AGE_DAYS,
      contactCooldownDays: e.CONTACT_COOLDOWN_DAYS,
      batchSize: e.MATCHER_BATCH_SIZE,
    },
    /** The contact hours a new hunt gets when its body gives none (null: any time). */
    contactHoursDefault: e.CONTACT_HOURS_DEFAULT,
    /** A hunt's brands must be brands LeBonCoin knows for its ad type (BRANDS_CHECK=leboncoin). */
    checkBrands: e.BRANDS_CHECK === 'leboncoin',
    ...pipelineConfig(e, providers.value),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
  };
}

type ParsedEnv = z.infer<typeof schema>;

const minInsyncReplicasOf = (e: ParsedEnv) =>
  e.TOPIC_MIN_INSYNC_REPLICAS ?? Math.max(1, e.TOPIC_REPLICATION_FACTOR - 1);
const webhookLeaseMsOf = (e: ParsedEnv) => e.WEBHOOK_LEASE_MS ?? Math.max(60_000, e.WEBHOOK_TIMEOUT_MS + 30_000);
const adWindowsOf = (e: ParsedEnv) => ({ backfillDays: e.BACKFILL_DAYS, contactMaxAgeDays: e.CONTACT_MAX_AGE_DAYS });
const adsRetentionDaysOf = (e: ParsedEnv) => e.ADS_RETENTION_DAYS ?? longestAdWindow(adWindowsOf(e)).days;

/** The secrets each kind of caller presents. */
function tokensOf(e: ParsedEnv) {
  return {
    ingest: e.INGEST_TOKEN,
    api: e.API_TOKEN,
    cron: e.CRON_SECRET,
    lobstrWebhook: e.LOBSTR_WEBHOOK_SECRET,
    /** The path secret of the message gateway's callbacks (POST /v1/gateway/webhook/:secret). */
    gatewayWebhook: e.MESSAGE_GATEWAY_WEBHOOK_SECRET,
    /** The operator's console (/ops, /v1/ops/*); unset, the console refuses every token. */
    ops: e.OPS_TOKEN,
  };
}

/** The Lobstr API, its shared request budget, and the reconciliation of its runs. */
function lobstrConfig(e: ParsedEnv) {
  return {
    apiUrl: e.LOBSTR_API_URL,
    apiKey: e.LOBSTR_API_KEY ?? '',
    /** Shared by every importer of the key (PostgreSQL), not per process. */
    requestsPerSecond: e.LOBSTR_REQUESTS_PER_SECOND,
    userAgent: `hunt-matcher (${e.INSTANCE_ID})`,
    /** The squids whose runs the importers reconcile; empty: the webhook alone brings runs. */
    squids: e.LOBSTR_SQUIDS,
    reconcileEveryMs: e.LOBSTR_RECONCILE_EVERY_MS,
    /** Finished runs that ended longer ago are not imported by the reconciliation. */
    reconcileLookbackDays: e.LOBSTR_RECONCILE_LOOKBACK_DAYS,
  };
}

/** What no single variable can say wrong: variables that must agree with each other. */
function crossChecks(e: ParsedEnv): string[] {
  const problems: string[] = [];
  if (e.EVENT_WIRE_FORMAT === 'confluent' && !e.SCHEMA_REGISTRY_URL)
    problems.push(
      'SCHEMA_REGISTRY_URL is required when EVENT_WIRE_FORMAT is confluent (the Confluent API of the registry, e.g. http://127.0.0.1:8081)',
    );
  const webhookLeaseMs = webhookLeaseMsOf(e);
  const minInsyncReplicas = minInsyncReplicasOf(e);
  if (webhookLeaseMs <= e.WEBHOOK_TIMEOUT_MS)
    problems.push(
      `WEBHOOK_LEASE_MS must be longer than WEBHOOK_TIMEOUT_MS (${e.WEBHOOK_TIMEOUT_MS}): an attempt still waiting for its answer would be taken again (got "${e.WEBHOOK_LEASE_MS}")`,
    );
  if (minInsyncReplicas > e.TOPIC_REPLICATION_FACTOR) {
    problems.push(
      `TOPIC_MIN_INSYNC_REPLICAS must not exceed TOPIC_REPLICATION_FACTOR (${e.TOPIC_REPLICATION_FACTOR}): no write could be acknowledged (got "${minInsyncReplicas}")`,
    );
  }
  const adsRetentionDays = adsRetentionDaysOf(e);
  for (const w of adWindows(adWindowsOf(e)).filter((w) => w.days > adsRetentionDays))
    problems.push(
      `ADS_RETENTION_DAYS must not be shorter than ${w.name} (${w.days} days): ads it still reads would be deleted (got "${adsRetentionDays}")`,
    );
  return problems;
}

/** The sender, the outbox, the consumers, the wire format and the webhooks. */
function pipelineConfig(e: ParsedEnv, providers: ReturnType<typeof providerSettings>['value']) {
  return {
    sending: {
      maxAttempts: e.SEND_MAX_ATTEMPTS,
      ratePerMinute: e.SEND_RATE_PER_MINUTE,
      retryBaseMs: e.SEND_RETRY_BASE_MS,
      retryMaxMs: e.SEND_RETRY_MAX_MS,
      leaseMs: e.SEND_LEASE_MS,
      callTimeoutMs: e.MESSAGE_GATEWAY_TIMEOUT_MS,
      pollMs: e.SEND_POLL_MS,
      concurrency: e.SEND_CONCURRENCY,
      /** Where sellers whose number names no French region are local. */
      timeZone: e.TICK_TIME_ZONE,
      probeEveryMs: providers.probeEveryMs,
      reconcileAfterMs: providers.reconcileAfterMs,
    },
    outbox: {
      shards: e.OUTBOX_SHARDS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      pollMs: e.OUTBOX_POLL_MS,
      maxAgeWarnMs: e.OUTBOX_MAX_AGE_WARN_MS,
    },
    consumers: { concurrency: e.CONSUMER_CONCURRENCY, inboxRetentionDays: e.INBOX_RETENTION_DAYS },
    /** What src/db/retention.ts deletes, and how often; ads are kept at least as long as any window reads them. */
    retention: {
      adsRetentionDays: adsRetentionDaysOf(e),
      windows: adWindowsOf(e),
      inboxRetentionDays: e.INBOX_RETENTION_DAYS,
      everyMs: e.RETENTION_EVERY_MS,
      batchSize: e.RETENTION_BATCH_SIZE,
    },
    /**
     * How events are framed on the topics: `single-object` (Avro single-object encoding, the published
     * .avsc files and no registry) or `confluent` (magic byte 0 and the schema id of SCHEMA_REGISTRY_URL,
     * for Kafka Connect, ksqlDB, Flink and the Kafka UIs). Consumers read both whenever a registry is set.
     */
    wireFormat: {
      format: e.EVENT_WIRE_FORMAT,
      schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
      registryTimeoutMs: e.SCHEMA_REGISTRY_TIMEOUT_MS,
    },
    webhooks: {
      /** http:// URLs accepted (development and tests); https:// only otherwise. */
      allowHttp: e.WEBHOOKS_ALLOW_HTTP === 'true',
      /** Hosts whose URLs may resolve to loopback or private addresses (development and tests). */
      allowedHosts: e.WEBHOOKS_ALLOWED_HOSTS,
      /** The waits between attempts, in milliseconds: one retry each, then the delivery has failed. */
      retrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      /** An endpoint whose every attempt failed for this long is disabled. */
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER,
      pollMs: e.WEBHOOK_POLL_MS,
      leaseMs: webhookLeaseMsOf(e),
      concurrency: e.WEBHOOK_CONCURRENCY,
      endpointConcurrency: e.WEBHOOK_ENDPOINT_CONCURRENCY,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** Secrets a role cannot work without: asked for only when that role runs. */
function requiredByRoles(e: z.infer<typeof schema>, needsGateway: boolean): string[] {
  const needs: Array<[Role, keyof typeof e]> = [
    ['api', 'INGEST_TOKEN'],
    ['api', 'API_TOKEN'],
    ['api', 'CRON_SECRET'],
    ['api', 'LOBSTR_WEBHOOK_SECRET'],
    ['importer', 'LOBSTR_API_KEY'],
    // The generic gateway, for the channels MESSAGE_PROVIDERS leaves to it (every channel by default).
    ...(needsGateway
      ? ([
          ['api', 'MESSAGE_GATEWAY_WEBHOOK_SECRET'],
          ['sender', 'MESSAGE_GATEWAY_URL'],
          ['sender', 'MESSAGE_GATEWAY_TOKEN'],
        ] as Array<[Role, keyof typeof e]>)
      : []),
  ];
  return needs
    .filter(([role, name]) => e.ROLES.has(role) && e[name] === undefined)
    .map(([role, name]) => `${name} is required when ROLES includes ${role}`);
}

function redact(name: string, value: string | undefined) {
  if (/TOKEN|SECRET|KEY|PASSWORD/.test(name)) return '***';
  return value?.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
