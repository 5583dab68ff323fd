import { describe, expect, it } from 'vitest';
import { loadConfig, loadKafkaToolConfig } from '../src/config.js';
import { BASE_ENV, configProblems as problems } from '../testkit/configProblems.js';

const base = BASE_ENV;

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.tick.at).toEqual({ hour: 6, minute: 0 });
    expect(c.tick.timeZone).toBe('Europe/Paris');
    expect(c.matching).toMatchObject({ backfillDays: 30, contactMaxAgeDays: 7, contactCooldownDays: 90 });
    expect(c.contactHoursDefault).toEqual({ days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '20:00' });
    expect(c.sending).toMatchObject({ maxAttempts: 10, ratePerMinute: 30, retryBaseMs: 2000, retryMaxMs: 300_000 });
    expect(c.topics.partitions).toBe(6);
  });

  it('reads the webhook schedule and window as durations, and asks for a registry with the Confluent format', () => {
    expect(loadConfig(base).webhooks).toMatchObject({
      allowHttp: false,
      allowedHosts: [],
      retrySchedule: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      timeoutMs: 10_000,
      disableAfterMs: 5 * 86_400_000,
    });
    expect(loadConfig({ ...base, ROLES: 'webhooks' }).roles).toEqual(new Set(['webhooks']));
    const c = loadConfig({
      ...base,
      WEBHOOK_RETRY_SCHEDULE: '1s, 500ms,2m,3',
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1, LocalHost,[::1]',
      WEBHOOK_DISABLE_AFTER: '1h',
    }).webhooks;
    expect(c).toMatchObject({
      retrySchedule: [1000, 500, 120_000, 3000],
      allowedHosts: ['127.0.0.1', 'localhost', '::1'],
      disableAfterMs: 3_600_000,
    });
    expect(loadConfig({ ...base, WEBHOOK_TIMEOUT_MS: '90000' }).webhooks.leaseMs).toBe(120_000);
    expect(problems({ ...base, WEBHOOK_TIMEOUT_MS: '30000', WEBHOOK_LEASE_MS: '20000' })).toEqual([
      expect.stringMatching(/^WEBHOOK_LEASE_MS must be longer than WEBHOOK_TIMEOUT_MS/),
    ]);
    expect(problems({ ...base, WEBHOOK_RETRY_SCHEDULE: '5s,soon' })).toEqual([
      expect.stringMatching(/^WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of durations/),
    ]);
    expect(problems({ ...base, EVENT_WIRE_FORMAT: 'confluent' })).toEqual([
      expect.stringMatching(/^SCHEMA_REGISTRY_URL is required when EVENT_WIRE_FORMAT is confluent/),
    ]);
    expect(problems({ ...base, EVENT_WIRE_FORMAT: 'protobuf' })).toEqual([
      expect.stringMatching(/^EVENT_WIRE_FORMAT /),
    ]);
    expect(
      loadConfig({ ...base, EVENT_WIRE_FORMAT: 'confluent', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/' }).wireFormat,
    ).toMatchObject({ format: 'confluent', schemaRegistryUrl: 'http://127.0.0.1:8081' });
  });

  it('derives min.insync.replicas from the replication factor unless TOPIC_MIN_INSYNC_REPLICAS says, and refuses one above it', () => {
    expect(loadConfig(base).topics).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(loadConfig({ ...base, TOPIC_REPLICATION_FACTOR: '3' }).topics).toMatchObject({
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(
      loadConfig({ ...base, TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '3' }).topics.minInsyncReplicas,
    ).toBe(3);
    expect(problems({ ...base, TOPIC_REPLICATION_FACTOR: '3', TOPIC_MIN_INSYNC_REPLICAS: '4' })).toEqual([
      expect.stringMatching(/^TOPIC_MIN_INSYNC_REPLICAS must not exceed TOPIC_REPLICATION_FACTOR \(3\)/),
    ]);
    expect(problems({ ...base, TOPIC_MIN_INSYNC_REPLICAS: 'two' })).toEqual([
      expect.stringMatching(/^TOPIC_MIN_INSYNC_REPLICAS must be an integer/),
    ]);
  });

  it('runs every role when ROLES is not set', () => {
    expect(problems({ ...base, ROLES: '' })).toEqual(
      expect.arrayContaining(['INGEST_TOKEN is required when ROLES includes api']),
    );
  });

  it('names a missing variable', () => {
    expect(problems({ KAFKA_BROKERS: '127.0.0.1:9092', ROLES: 'relay' })).toEqual(['DATABASE_URL is required']);
  });

  it('names each wrong variable with what it expects', () => {
    const found = problems({
      ...base,
      PORT: 'eighty',
      KAFKA_BROKERS: 'localhost',
      ROLES: 'api,cook',
      DAILY_TICK_AT: '6h',
    });
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/^PORT must be an integer/);
    expect(found[1]).toMatch(/^KAFKA_BROKERS must be a comma-separated list of host:port/);
    expect(found[2]).toMatch(/^ROLES must be a comma-separated subset of api, relay/);
    expect(found[3]).toMatch(/^DAILY_TICK_AT must be HH:MM/);
  });

  it('asks for the secrets of the roles that run, and never prints them', () => {
    expect(problems({ ...base, ROLES: 'sender' })).toEqual([
      'MESSAGE_GATEWAY_URL is required when ROLES includes sender',
      'MESSAGE_GATEWAY_TOKEN is required when ROLES includes sender',
    ]);
    const leaked = problems({
      ...base,
      DATABASE_URL: 'mysql://u:hunter2@h/db',
      SEND_MAX_ATTEMPTS: '-1',
      MESSAGE_GATEWAY_TOKEN: 'x',
    });
    expect(leaked.join('\n')).not.toContain('hunter2');
  });

  it('reads OPS_TOKEN for the console, which stays closed without it', () => {
    expect(loadConfig({ ...base, OPS_TOKEN: 'ops-secret' }).tokens.ops).toBe('ops-secret');
    expect(loadConfig(base).tokens.ops).toBeUndefined();
  });

  it('configures the dead-letter tool from KAFKA_BROKERS and TOPIC_PREFIX alone, naming a wrong one', () => {
    expect(loadKafkaToolConfig({ KAFKA_BROKERS: 'a:9092,b:9092', TOPIC_PREFIX: 'staging.' })).toMatchObject({
      kafka: { brokers: ['a:9092', 'b:9092'] },
      topicPrefix: 'staging.',
    });
    expect(() => loadKafkaToolConfig({})).toThrow(/KAFKA_BROKERS is required/);
    expect(() => loadKafkaToolConfig({ KAFKA_BROKERS: 'nope' })).toThrow(
      /KAFKA_BROKERS must be a comma-separated list of host:port/,
    );
  });

  it('keeps ads at least as long as the longest window that reads them, refusing a shorter ADS_RETENTION_DAYS', () => {
    expect(loadConfig(base).retention).toMatchObject({ adsRetentionDays: 90, everyMs: 600_000, batchSize: 1000 });
    expect(loadConfig({ ...base, BACKFILL_DAYS: '120' }).retention.adsRetentionDays).toBe(120);
    expect(loadConfig({ ...base, ADS_RETENTION_DAYS: '365' }).retention.adsRetentionDays).toBe(365);
    expect(problems({ ...base, ADS_RETENTION_DAYS: '30' })).toEqual([
      expect.stringMatching(
        /^ADS_RETENTION_DAYS must not be shorter than the hunt preview's longest window \(90 days\)/,
      ),
    ]);
    expect(problems({ ...base, ADS_RETENTION_DAYS: '100', BACKFILL_DAYS: '180' })).toEqual([
      expect.stringMatching(/^ADS_RETENTION_DAYS must not be shorter than BACKFILL_DAYS \(180 days\)/),
    ]);
    expect(problems({ ...base, ADS_RETENTION_DAYS: 'forever' })).toEqual([
      expect.stringMatching(/^ADS_RETENTION_DAYS must be an integer/),
    ]);
  });

  it('reads CONTACT_HOURS_DEFAULT ("always" or a window) and names it when it is wrong', () => {
    expect(loadConfig({ ...base, CONTACT_HOURS_DEFAULT: 'always' }).contactHoursDefault).toBeNull();
    expect(loadConfig({ ...base, CONTACT_HOURS_DEFAULT: '1-5 09:00-18:30' }).contactHoursDefault).toEqual({
      days: [1, 2, 3, 4, 5],
      from: '09:00',
      to: '18:30',
    });
    expect(problems({ ...base, CONTACT_HOURS_DEFAULT: 'office hours' })).toEqual([
      expect.stringMatching(/^CONTACT_HOURS_DEFAULT must be "always" or/),
    ]);
  });

  it('asks for MESSAGE_GATEWAY_WEBHOOK_SECRET when the api role runs', () => {
    const api = {
      ...base,
      ROLES: 'api',
      INGEST_TOKEN: 'i',
      API_TOKEN: 'a',
      CRON_SECRET: 'c',
      LOBSTR_WEBHOOK_SECRET: 'l',
    };
    expect(problems(api)).toEqual(['MESSAGE_GATEWAY_WEBHOOK_SECRET is required when ROLES includes api']);
    expect(loadConfig({ ...api, MESSAGE_GATEWAY_WEBHOOK_SECRET: 'w' }).tokens.gatewayWebhook).toBe('w');
  });
});
