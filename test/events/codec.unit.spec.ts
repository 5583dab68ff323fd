import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { createCodec, DecodeError, EventEncodeError } from '../../src/events/codec.js';
import { crc64Avro } from '../../src/events/crc64avro.js';
import {
  EVENT_TYPES,
  loadCurrentSchemas,
  loadReleasedSchemas,
  parseSchema,
  schemasDir,
} from '../../src/events/schemas.js';
import { frameConfluent } from '../../src/events/confluentFraming.js';
import { SchemaRegistryUnavailable } from '../../src/events/schemaRegistry.js';
import { sampleEvents } from '../../testkit/eventSamples.js';

const codec = createCodec();

describe('CRC-64-AVRO fingerprints', () => {
  it('match the values of the Avro specification algorithm for primitive schemas', () => {
    // Vectors from Apache Avro's own test suites (lang/ruby test_fingerprints.rb, goavro).
    expect(crc64Avro(Buffer.from('"int"'))).toBe(0x7275d51a3f395c8fn);
    expect(crc64Avro(Buffer.from('"string"'))).toBe(0x8f014872634503c7n);
    expect(crc64Avro(Buffer.from('"null"'))).toBe(7195948357588979594n);
  });

  it('equal what Apache Avro for Java computes for the released schemas', () => {
    // SchemaNormalization.parsingFingerprint64 of org.apache.avro:avro:1.12.0 over schemas/released/1/*.avsc.
    const java: Record<string, string> = {
      AdScraped: 'beac1122de4a061f',
      HuntChanged: '155ff18bd3b09819',
      DailyTick: 'd91b4eeb2e0ab0e1',
      LobstrRunCompleted: '1e2ebc96eb7dc659',
      LeadCreated: '09b5e16740f818aa',
      SendMessage: 'b4dd3315fb2e4fbe',
      MessageSent: '6ef5025a3fbf1e83',
      MessageFailed: '88391cff765c2d57',
    };
    const released = loadReleasedSchemas().filter((s) => s.version === '1');
    // Release 1 holds the eight events of the first contract (MessageDelivered came with release 2).
    expect(released.map((s) => s.eventType).sort()).toEqual(Object.keys(java).sort());
    for (const s of released)
      expect(s.fingerprint.readBigUInt64LE(0).toString(16).padStart(16, '0')).toBe(java[s.eventType]);
  });
});

describe('the single-object codec', () => {
  it.each(EVENT_TYPES)('round-trips %s', (eventType) => {
    const bytes = codec.encode(eventType, sampleEvents[eventType]);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10)).toEqual(codec.fingerprintOf(eventType));
    expect(codec.decode(bytes)).toEqual({ eventType, value: sampleEvents[eventType] });
  });

  it.each(EVENT_TYPES)('writes %s so that a plain avsc reader with only the .avsc file decodes it', (eventType) => {
    const bytes = codec.encode(eventType, sampleEvents[eventType]);
    // What a downstream team does with the published files and the specification, nothing else.
    const schema = JSON.parse(readFileSync(join(schemasDir(), `${eventType}.avsc`), 'utf8')) as avro.Schema;
    const type = avro.Type.forSchema(schema, { wrapUnions: false });
    const fingerprint = Buffer.alloc(8);
    fingerprint.writeBigUInt64LE(crc64Avro(Buffer.from(JSON.stringify(type.schema()))));
    expect(bytes.readUInt16BE(0)).toBe(0xc301);
    expect(bytes.subarray(2, 10)).toEqual(fingerprint);
    expect(type.fromBuffer(bytes.subarray(10))).toEqual(sampleEvents[eventType]);
  });

  it('writes events larger than its scratch buffer, and never changes an event it returned', () => {
    const big = {
      ...sampleEvents.LeadCreated,
      ad: { ...sampleEvents.LeadCreated.ad, description: 'é'.repeat(150_000) },
    };
    const first = codec.encode('LeadCreated', big);
    const copy = Buffer.from(first);
    const second = codec.encode('LeadCreated', sampleEvents.LeadCreated);
    const third = codec.encode('LeadCreated', { ...big, ad: { ...big.ad, description: 'x'.repeat(300_000) } });
    expect(first.length).toBeGreaterThan(300_000);
    expect(first.equals(copy)).toBe(true);
    expect(codec.decode(first)).toEqual({ eventType: 'LeadCreated', value: big });
    expect(codec.decode(second)).toEqual({ eventType: 'LeadCreated', value: sampleEvents.LeadCreated });
    expect(third.length).toBeGreaterThan(300_000);
    expect(codec.decode(third)).toEqual({
      eventType: 'LeadCreated',
      value: { ...big, ad: { ...big.ad, description: 'x'.repeat(300_000) } },
    });
  });

  it('refuses bytes without the single-object marker with a non-retriable error', () => {
    const error = catchError(() => codec.decode(Buffer.from('{"json":"not avro"}')));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toMatchObject({ reason: 'not-single-object-encoded', retriable: false });
  });

  it('refuses an unknown writer fingerprint', () => {
    const bytes = Buffer.from(codec.encode('DailyTick', sampleEvents.DailyTick));
    bytes[5] = bytes[5]! ^ 0xff;
    expect(catchError(() => codec.decode(bytes))).toMatchObject({
      name: 'DecodeError',
      reason: 'unknown-fingerprint',
      retriable: false,
    });
  });

  it('refuses a corrupt or truncated body', () => {
    const bytes = codec.encode('HuntChanged', sampleEvents.HuntChanged);
    expect(catchError(() => codec.decode(bytes.subarray(0, bytes.length - 3)))).toMatchObject({
      reason: 'corrupt-body',
    });
    expect(catchError(() => codec.decode(Buffer.concat([bytes, Buffer.from([1, 2, 3])])))).toMatchObject({
      reason: 'corrupt-body',
    });
  });

  it('refuses to encode a value that does not fit its schema, naming the field', () => {
    const error = catchError(() =>
      codec.encode('HuntChanged', { ...sampleEvents.HuntChanged, version: 'two' as unknown as number }),
    );
    expect(error).toBeInstanceOf(EventEncodeError);
    expect((error as Error).message).toContain('version');
  });

  it('decodes events written with an older released schema into the current shape', () => {
    // An older LeadCreated without the `channel` field: its events must still decode after an upgrade.
    const current = JSON.parse(readFileSync(join(schemasDir(), 'LeadCreated.avsc'), 'utf8')) as {
      fields: Array<{ name: string }>;
    };
    const older = { ...current, fields: current.fields.filter((f) => f.name !== 'channel') };
    const olderSchema = {
      eventType: 'LeadCreated' as const,
      version: '0',
      ...parseSchema(older),
      text: JSON.stringify(older),
    };
    const withOlder = createCodec({ current: loadCurrentSchemas(), released: [olderSchema] });
    const { channel: _channel, ...oldValue } = sampleEvents.LeadCreated;
    const bytes = Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      olderSchema.fingerprint,
      olderSchema.type.toBuffer(oldValue),
    ]);
    expect(withOlder.decode(bytes)).toEqual({ eventType: 'LeadCreated', value: { ...oldValue, channel: null } });
  });
});

describe('the Confluent framing', () => {
  const schemas = loadCurrentSchemas();
  const body = (eventType: 'HuntChanged') => schemas.get(eventType)!.type.toBuffer(sampleEvents[eventType]);
  const framed = (id: number, bytes: Buffer) => frameConfluent(id, bytes);
  const registry = (known: Record<number, string>) => {
    const asked: number[] = [];
    return {
      asked,
      schemaOf: async (id: number) => {
        asked.push(id);
        return known[id];
      },
    };
  };

  it('decodes a value by its schema id, looked up once in the registry', async () => {
    const r = registry({ 7: schemas.get('HuntChanged')!.text });
    const confluent = createCodec({ registry: r });
    const value = framed(7, body('HuntChanged'));
    await confluent.prepare([value, value, null]);
    await confluent.prepare([value]);
    expect(r.asked).toEqual([7]);
    expect(confluent.decode(value)).toEqual({ eventType: 'HuntChanged', value: sampleEvents.HuntChanged });
    // The same codec still reads single-object values.
    const single = confluent.encode('HuntChanged', sampleEvents.HuntChanged);
    expect(confluent.decode(single).value).toEqual(sampleEvents.HuntChanged);
  });

  it('reads a registered version it does not have by name, through a resolver', async () => {
    const current = JSON.parse(schemas.get('HuntChanged')!.text) as { fields: Array<{ name: string }> };
    const newer = { ...current, fields: [...current.fields, { name: 'note', type: 'string', default: '' }] };
    const confluent = createCodec({ registry: registry({ 9: JSON.stringify(newer) }) });
    const value = framed(9, parseSchema(newer).type.toBuffer({ ...sampleEvents.HuntChanged, note: 'hi' }));
    await confluent.prepare([value]);
    expect(confluent.decode(value)).toEqual({ eventType: 'HuntChanged', value: sampleEvents.HuntChanged });
  });

  it('refuses an id the registry does not know, or a Confluent value with no registry, as that event only', async () => {
    const confluent = createCodec({ registry: registry({}) });
    const value = framed(404, body('HuntChanged'));
    await confluent.prepare([value]);
    expect(catchError(() => confluent.decode(value))).toMatchObject({ reason: 'unknown-schema-id' });
    expect(catchError(() => codec.decode(value))).toMatchObject({ reason: 'no-schema-registry' });
  });

  it('lets a registry that does not answer through as a retriable failure, and asks again next time', async () => {
    let up = false;
    const confluent = createCodec({
      registry: {
        schemaOf: async () => {
          if (!up) throw new SchemaRegistryUnavailable('connect ECONNREFUSED');
          return schemas.get('HuntChanged')!.text;
        },
      },
    });
    const value = framed(3, body('HuntChanged'));
    await expect(confluent.prepare([value])).rejects.toMatchObject({ retriable: true });
    up = true;
    await confluent.prepare([value]);
    expect(confluent.decode(value).eventType).toBe('HuntChanged');
  });

  it('gives the relay the current body of a payload, written again when an older release wrote it', () => {
    const single = codec.encode('HuntChanged', sampleEvents.HuntChanged);
    expect(codec.currentBodyOf(single)).toEqual({ eventType: 'HuntChanged', body: single.subarray(10) });
    // An outbox row an older release wrote (LeadCreated without `channel`): its body in the current schema.
    const current = JSON.parse(schemas.get('LeadCreated')!.text) as { fields: Array<{ name: string }> };
    const older = { ...current, fields: current.fields.filter((f) => f.name !== 'channel') };
    const parsed = parseSchema(older);
    const withOlder = createCodec({
      current: schemas,
      released: [{ eventType: 'LeadCreated', version: '0', ...parsed, text: JSON.stringify(older) }],
    });
    const { channel: _channel, ...oldValue } = sampleEvents.LeadCreated;
    const payload = Buffer.concat([Buffer.from([0xc3, 0x01]), parsed.fingerprint, parsed.type.toBuffer(oldValue)]);
    const { eventType, body: rewritten } = withOlder.currentBodyOf(payload);
    expect(eventType).toBe('LeadCreated');
    expect(schemas.get('LeadCreated')!.type.fromBuffer(rewritten)).toEqual({ ...oldValue, channel: null });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
