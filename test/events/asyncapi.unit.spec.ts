// asyncapi.yaml is the machine-readable contract for downstream teams: it must parse with the
// maintained parser and say what the code does (topics, event types, payloads, headers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import {
  DiagnosticSeverity,
  fromFile,
  Parser,
  type AsyncAPIDocumentInterface,
  type Diagnostic,
  type SchemaInterface,
} from '@asyncapi/parser';
import type avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHeaders, CONTENT_TYPE } from '../../src/events/envelope.js';
import { EVENT_TYPES, loadCurrentSchemas } from '../../src/events/schemas.js';
import { BASE_TOPICS, CONSUMED_TOPICS, dlqTopic, TOPIC_OF_EVENT } from '../../src/events/topics.js';
import { projectRoot } from '../../src/platform/projectRoot.js';
import { sampleEvents } from '../../testkit/eventSamples.js';

const schemas = loadCurrentSchemas();
let document: AsyncAPIDocumentInterface;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  // fromFile, so that the payloads' $ref './schemas/X.avsc' resolve next to asyncapi.yaml.
  const parsed = await fromFile(parser, join(projectRoot(), 'asyncapi.yaml')).parse();
  diagnostics = parsed.diagnostics;
  if (!parsed.document) throw new Error(`asyncapi.yaml does not parse:\n${describeDiagnostics(parsed.diagnostics)}`);
  document = parsed.document;
});

const describeDiagnostics = (list: Diagnostic[]) =>
  list.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`).join('\n');
const channelAt = (address: string) =>
  document
    .channels()
    .all()
    .find((c) => c.address() === address);

/** Field names of an Avro record and of its nested records, as paths ('ad.phone'). */
function avroFieldPaths(type: avro.Type, prefix = ''): string[] {
  if (type.typeName !== 'record') return [];
  return (type as avro.types.RecordType).fields.flatMap((f) => [
    `${prefix}${f.name}`,
    ...avroFieldPaths(f.type, `${prefix}${f.name}.`),
  ]);
}

/** The same paths for the JSON schema the Avro schema parser made of the payload. */
function payloadFieldPaths(schema: SchemaInterface, prefix = ''): string[] {
  return Object.entries(schema.properties() ?? {}).flatMap(([name, s]) => [
    `${prefix}${name}`,
    ...payloadFieldPaths(s, `${prefix}${name}.`),
  ]);
}

describe('asyncapi.yaml', () => {
  it('parses and validates with @asyncapi/parser and the Avro schema parser without errors', () => {
    const errors = diagnostics.filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error));
    expect(describeDiagnostics(errors)).toBe('');
    expect(document.version()).toBe('3.0.0');
  });

  it('has a channel for every topic and a dead-letter channel for every consumed topic, and no other', () => {
    const expected = [...BASE_TOPICS, ...CONSUMED_TOPICS.map(dlqTopic)].sort();
    expect(
      document
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(expected);
  });

  it.each(EVENT_TYPES)('describes %s on its topic with the fields of its .avsc file', (eventType) => {
    const channel = channelAt(TOPIC_OF_EVENT[eventType]);
    expect(channel, `channel ${TOPIC_OF_EVENT[eventType]}`).toBeDefined();
    const messages = channel!.messages().all();
    expect(messages.map((m) => m.name())).toEqual([eventType]);
    const message = messages[0]!;
    expect(message.contentType()).toBe('application/vnd.apache.avro+binary');
    expect(message.schemaFormat()).toMatch(/^application\/vnd\.apache\.avro;/);

    const payload = message.payload()!;
    const type = schemas.get(eventType)!.type as avro.types.RecordType;
    expect(payloadFieldPaths(payload)).toEqual(avroFieldPaths(type));
    // Avro fields without a default are the ones every event carries.
    expect([...(payload.required() ?? [])].sort()).toEqual(
      type.fields
        .filter((f) => f.defaultValue() === undefined)
        .map((f) => f.name)
        .sort(),
    );
    expect(payload.description()).toBe(type.doc);
  });

  it.each(EVENT_TYPES)('gives %s the Kafka key its .avsc documentation names', (eventType) => {
    const message = channelAt(TOPIC_OF_EVENT[eventType])!.messages().all()[0]!;
    const key = message.bindings().get('kafka')?.value<{ key?: { type?: string; description?: string } }>().key;
    expect(key?.type).toBe('string');
    // The .avsc doc ends with "key = <field>"; the binding starts with that field's name.
    const keyField = /key = (\w+)/.exec(schemas.get(eventType)!.type.doc ?? '')?.[1];
    expect(keyField).toBeDefined();
    expect(key?.description).toMatch(new RegExp(`^${keyField} `));
  });

  it('declares exactly the headers that the outbox writes on every event', () => {
    const written = buildHeaders({ eventType: 'LeadCreated', key: 'k', value: sampleEvents.LeadCreated }, new Date());
    for (const eventType of EVENT_TYPES) {
      const headers = channelAt(TOPIC_OF_EVENT[eventType])!.messages().all()[0]!.headers()!;
      expect(Object.keys(headers.properties() ?? {}).sort()).toEqual(Object.keys(written).sort());
      expect([...(headers.required() ?? [])].sort()).toEqual(Object.keys(written).sort());
      expect(headers.property('content-type')?.const()).toBe(CONTENT_TYPE);
      expect(headers.property('event-type')?.enum()).toContain(eventType);
    }
  });

  it('declares exactly the dlq-* headers that the consumer pipeline adds', () => {
    // The pipeline builds them inline; read their names from its source, so that a rename fails here.
    const source = readFileSync(join(projectRoot(), 'src', 'consumers', 'pipeline', 'deadLetter.ts'), 'utf8');
    const written = [...new Set([...source.matchAll(/'(dlq-[a-z-]+)'/g)].map((m) => m[1]!))].sort();
    expect(written.length).toBeGreaterThan(3);
    for (const topic of CONSUMED_TOPICS) {
      const message = channelAt(dlqTopic(topic))!.messages().all()[0]!;
      expect(Object.keys(message.headers()!.properties() ?? {}).sort()).toEqual(written);
    }
  });

  it('says hunt-matcher sends every event, and receives exactly the topics it consumes', () => {
    const addresses = (action: 'send' | 'receive') =>
      [
        ...new Set(
          document
            .operations()
            .all()
            .filter((o) => o.action() === action)
            .flatMap((o) =>
              o
                .channels()
                .all()
                .map((c) => c.address()),
            ),
        ),
      ].sort();
    expect(addresses('send')).toEqual([...BASE_TOPICS, ...CONSUMED_TOPICS.map(dlqTopic)].sort());
    expect(addresses('receive')).toEqual([...CONSUMED_TOPICS].sort());
  });
});

describe('docs/events.md', () => {
  const doc = readFileSync(join(projectRoot(), 'docs', 'events.md'), 'utf8');

  it.each(EVENT_TYPES)('documents every field of %s, under its own heading', (eventType) => {
    const section = doc.split(/^### /m).find((s) => s.startsWith(`${eventType}\n`));
    expect(section, `a "### ${eventType}" section`).toBeDefined();
    // LeadCreated refers to the Ad record documented under AdScraped.
    const own = avroFieldPaths(schemas.get(eventType)!.type).filter(
      (p) => eventType !== 'LeadCreated' || !p.startsWith('ad.'),
    );
    for (const path of own) expect(section, path).toContain(`| \`${path.split('.').pop()!}\` |`);
  });

  it('names every topic and every header the code writes', () => {
    for (const topic of [...BASE_TOPICS, ...CONSUMED_TOPICS.map(dlqTopic)]) expect(doc).toContain(`\`${topic}\``);
    const written = buildHeaders({ eventType: 'DailyTick', key: 'k', value: sampleEvents.DailyTick }, new Date());
    for (const header of Object.keys(written)) expect(doc).toContain(`| \`${header}\` |`);
  });
});
