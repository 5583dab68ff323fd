// EVENT_WIRE_FORMAT=confluent against a real Apicurio Registry (started for this file alone, from
// Maven Central, unless SCHEMA_REGISTRY_URL names one): what the relay writes is decoded by
// @kafkajs/confluent-schema-registry with nothing but the registry; a consumer of the service reads a
// topic holding both framings; a registry that does not answer is waited for, never a dead letter; the
// published schemas pass the registry's own compatibility check; and the example consumer reads them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHeaders, type OutgoingEvent } from '../../src/events/envelope.js';
import { EVENT_TYPES, loadCurrentSchemas, loadReleasedSchemas, parseSchema } from '../../src/events/schemas.js';
import { TOPIC_OF_EVENT } from '../../src/events/topics.js';
import { projectRoot } from '../../src/platform/projectRoot.js';
import type { Service } from '../../src/service.js';
import { provideSchemaRegistry, type SchemaRegistryProvided } from '../../src/stack/provideStack.js';
import { EXIT_WITH_PARENT } from '../../testkit/childService.js';
import { sampleEvents } from '../../testkit/eventSamples.js';
import { apiClient } from '../../testkit/http.js';
import { captureLogs } from '../../testkit/logCapture.js';
import { startTcpProxy, type TcpProxy } from '../../testkit/tcpProxy.js';
import { useTestEnv, type ReadEvent } from '../../testkit/testEnv.js';
import { waitFor } from '../../testkit/waitFor.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../testkit/webhookReceiver.js';

const t = useTestEnv();
const http = apiClient(() => t.url);
const logs = captureLogs('warn');
let registry: SchemaRegistryProvided;
/** The service reaches the registry through it, so that the test can take the registry away. */
let proxy: TcpProxy;
let service: Service;
let receiver: WebhookReceiver;
let accountId: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  registry = await provideSchemaRegistry({ progress: (m) => process.stderr.write(`[registry] ${m}\n`) });
  const url = new URL(registry.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  receiver = await startWebhookReceiver();
  service = await t.startService(
    {
      ROLES: 'api,relay,webhooks',
      EVENT_WIRE_FORMAT: 'confluent',
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${proxy.port}${url.pathname}`,
      SCHEMA_REGISTRY_TIMEOUT_MS: '1000',
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_POLL_MS: '100',
      OUTBOX_POLL_MS: '200',
    },
    { log: logs.log },
  );
  t.url = service.url;
  accountId = randomUUID();
  expect((await http.api.post('/v1/accounts', { id: accountId })).status).toBe(201);
  const created = await http.api.post<{ secret: string }>(`/v1/accounts/${accountId}/webhooks`, {
    url: receiver.url,
    events: ['lead.created'],
  });
  receiver.secrets = [created.body.secret];
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await receiver?.close();
  await proxy?.close();
  await registry?.stop();
});

/** A fresh client: it knows nothing but the registry's address. */
const registryClient = () => new SchemaRegistry({ host: registry.url });

const leadCreated = (leadId = randomUUID()): OutgoingEvent => ({
  eventType: 'LeadCreated',
  key: accountId,
  value: { ...sampleEvents.LeadCreated, accountId, leadId },
});

/** Writes a value straight to a topic, with the headers the relay would give it. */
async function produce(event: OutgoingEvent, value: Buffer) {
  await t.sendRaw(t.topics.forEvent(event.eventType), [
    { key: event.key, value, headers: { ...buildHeaders(event, new Date()) } },
  ]);
}

const received = (leadId: string) => receiver.received.filter((w) => w.body.data.leadId === leadId);

describe('the Confluent wire format', () => {
  it('is waited for, never dead-lettered, while the registry does not answer', async () => {
    // A Confluent value whose schema id the service has never looked up, read while the registry is away.
    const leadId = randomUUID();
    const event = leadCreated(leadId);
    const { id } = await registryClient().register(
      { type: SchemaType.AVRO, schema: loadCurrentSchemas().get('LeadCreated')!.text },
      { subject: `${t.topics.forEvent('LeadCreated')}-value` },
    );
    const value = await registryClient().encode(id, (event as { value: unknown }).value);
    proxy.down();
    await produce(event, value);
    await waitFor(() => logs.withMsg('schema registry unavailable; retrying without moving on').length > 0, {
      message: 'the consumer meeting the outage',
    });
    expect(received(leadId)).toEqual([]);
    proxy.up();
    await waitFor(() => received(leadId).length === 1, { message: 'the event applied once the registry is back' });
    expect(await t.countMessages(`${t.topics.forEvent('LeadCreated')}.dlq`)).toBe(0);
  });

  it('writes every event so that the registry alone decodes it, under <topic>-value with BACKWARD compatibility', async () => {
    const events = EVENT_TYPES.map(
      (eventType) => ({ eventType, key: randomUUID(), value: sampleEvents[eventType] }) as OutgoingEvent,
    );
    const ids = await t.db.transaction((trx) => service.outbox.enqueue(trx, events));
    const client = registryClient();
    const current = loadCurrentSchemas();
    for (const [i, eventType] of EVENT_TYPES.entries()) {
      const topic = t.topics.forEvent(eventType);
      const mine = (read: ReadEvent[]) => read.find((r) => r.headers['event-id'] === ids[i]);
      const message = mine(await t.readTopic(topic, (read) => mine(read) !== undefined));
      const value = message!.raw.value!;
      expect(value[0], eventType).toBe(0);
      expect(await client.decode(value), eventType).toEqual(sampleEvents[eventType]);
      // The schema behind the id is the published one, under the topic's subject, set to BACKWARD.
      const registered = parseSchema(
        await client.getSchema(value.readUInt32BE(1)).then((s) => (s as unknown as { schema(): unknown }).schema()),
      );
      expect(registered.canonical, eventType).toBe(current.get(eventType)!.canonical);
      const config = (await (await fetch(`${registry.url}/config/${topic}-value`)).json()) as {
        compatibilityLevel: string;
      };
      expect(config.compatibilityLevel, eventType).toBe('BACKWARD');
    }
  });

  it('is read by a consumer of the service from a topic that holds both framings', async () => {
    const singleObject = randomUUID();
    const confluent = randomUUID();
    // One written before the switch (single-object encoding, as the outbox holds it), one after.
    await produce(
      leadCreated(singleObject),
      t.codec.encode('LeadCreated', (leadCreated(singleObject) as unknown as { value: never }).value),
    );
    await t.db.transaction((trx) => service.outbox.enqueue(trx, [leadCreated(confluent)]));
    await waitFor(() => received(singleObject).length === 1 && received(confluent).length === 1, {
      message: 'both leads delivered as webhooks',
    });
    expect(receiver.unverified).toEqual([]);
  });

  it('passes the registry its own compatibility check: every release in order, then the current schemas', async () => {
    const client = registryClient();
    const released = loadReleasedSchemas();
    const versions = [...new Set(released.map((s) => s.version))].sort((a, b) => Number(a) - Number(b));
    for (const eventType of EVENT_TYPES) {
      const subject = `${t.name}.compatibility.${TOPIC_OF_EVENT[eventType]}-value`;
      const history = [
        ...versions.flatMap((v) => released.filter((s) => s.version === v && s.eventType === eventType)),
        loadCurrentSchemas().get(eventType)!,
      ];
      for (const s of history)
        await expect(
          client.register(
            { type: SchemaType.AVRO, schema: s.text },
            { subject, compatibility: COMPATIBILITY.FULL_TRANSITIVE },
          ),
          `${eventType} ${s.version}`,
        ).resolves.toHaveProperty('id');
    }
    // The check can fail: a field added without a default is refused.
    const breaking = JSON.parse(loadCurrentSchemas().get('LeadCreated')!.text) as { fields: unknown[] };
    breaking.fields.push({ name: 'mandatory', type: 'string' });
    await expect(
      client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(breaking) },
        { subject: `${t.name}.compatibility.leads.created-value`, compatibility: COMPATIBILITY.FULL_TRANSITIVE },
      ),
    ).rejects.toThrow(/409|ncompatible/);
  });

  it('is read by the example consumer with nothing but the broker and the registry', async () => {
    let output = '';
    child = spawn(process.execPath, [...EXIT_WITH_PARENT, '--import', 'tsx', 'examples/confluent-consumer.ts'], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: t.kafkaBrokers.join(','),
        TOPIC_PREFIX: t.topics.prefix,
        SCHEMA_REGISTRY_URL: registry.url,
        GROUP_ID: `${t.name}-confluent-example`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const leadId = randomUUID();
    await t.db.transaction((trx) => service.outbox.enqueue(trx, [leadCreated(leadId)]));
    await waitFor(() => output.includes(`[confluent] lead created: ${leadId} stage=contacte`), {
      message: 'the example printing the lead',
      timeoutMs: 30_000,
    });
    // What was written before the switch is named, not misread.
    expect(output).toMatch(/skipped .*leads\.created@\d+: not Confluent-framed/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('[confluent] stopped');
  });
});
