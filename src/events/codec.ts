// The two framings of an event's Avro body on a topic (docs/ARCHITECTURE.md section 5):
//   Avro single-object encoding (specification, "Single-object encoding"), what the outbox holds and
//   the default on the topics; any Avro library decodes it with the files in schemas/ and no registry:
//     C3 01 | CRC-64-AVRO fingerprint of the writer schema, 8 bytes little-endian | Avro binary body
//   the Confluent wire format (EVENT_WIRE_FORMAT=confluent), what Kafka Connect, ksqlDB, Flink and the
//   Kafka UIs decode, the schema looked up by id in the registry (src/events/schemaRegistry.ts):
//     00 | schema id, 4 bytes big-endian | Avro binary body
// A consumer reads both (a topic holds both while the format is switched). A Confluent value's schema
// id is resolved once, before decoding (prepare): decoding itself stays synchronous.
import avro from 'avsc';
import { CONFLUENT_HEADER_BYTES, CONFLUENT_MAGIC } from './confluentFraming.js';
import type { SchemaRegistryClient } from './schemaRegistry.js';
import {
  loadCurrentSchemas,
  loadReleasedSchemas,
  parseSchema,
  type EventType,
  type SchemaVersion,
  EVENT_TYPES,
} from './schemas.js';
import type { EventPayloads } from './types.generated.js';

const MARKER_0 = 0xc3;
const MARKER_1 = 0x01;
const HEADER_BYTES = 10;
const NAMESPACE = 'huntmatcher.events';

/** Why a message is not a decodable event: the codec's reasons, then those of its envelope (src/consumers/pipeline/decode.ts). */
export type DecodeFailure =
  | 'not-single-object-encoded'
  | 'unknown-fingerprint'
  | 'unknown-schema-id'
  | 'no-schema-registry'
  | 'corrupt-body'
  | 'unexpected-type'
  | 'empty-value'
  | 'header-mismatch'
  | 'missing-event-id'
  | 'undecodable';

/** A message that is not a decodable event (it never will be): never retried, sent to the dead-letter topic. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly retriable = false;
  /** `reason` goes to the dead-letter topic's dlq-reason header. */
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value that does not fit its schema: a programming error on the producing side. */
export class EventEncodeError extends Error {
  override readonly name = 'EventEncodeError';
  readonly retriable = false;
}

export type DecodedEvent = { [K in EventType]: { eventType: K; value: EventPayloads[K] } }[EventType];

export interface Codec {
  /** Single-object encoding, with the current schema. */
  encode<K extends EventType>(eventType: K, value: EventPayloads[K]): Buffer;
  /** Either framing; a Confluent value's schema id must have been prepared. */
  decode(bytes: Buffer): DecodedEvent;
  decodeAs<K extends EventType>(eventType: K, bytes: Buffer): EventPayloads[K];
  fingerprintOf(eventType: EventType): Buffer;
  /**
   * Looks up, once, the schema ids of the Confluent-framed values among `values`, so that decode() can
   * read them. Throws SchemaRegistryUnavailable when the registry does not answer (retry later); an id
   * the registry does not know, or no registry at all, is decode()'s DecodeError for that value only.
   */
  prepare(values: ReadonlyArray<Buffer | null>): Promise<void>;
  /**
   * The event type and Avro body of a single-object value, in its event type's current schema (a value
   * written with an older released schema is decoded and written again): what the Confluent framing carries.
   */
  currentBodyOf(singleObject: Buffer): { eventType: EventType; body: Buffer };
}

interface Reader {
  eventType: EventType;
  /** The current schema; bytes written with an older released schema go through its resolver. */
  type: avro.Type;
  resolver: avro.Resolver | undefined;
}

export function createCodec(
  options: {
    current?: Map<EventType, SchemaVersion>;
    released?: SchemaVersion[];
    /** Where a Confluent value's schema id is looked up; without one, such values are DecodeErrors. */
    registry?: Pick<SchemaRegistryClient, 'schemaOf'>;
  } = {},
): Codec {
  const current = options.current ?? loadCurrentSchemas();
  const released = options.released ?? loadReleasedSchemas();
  const readers = fingerprintReaders(current, released);

  // Schema id (of the registry) -> how to read bytes written with it; or why they cannot be read.
  const byId = new Map<number, Reader | DecodeError>();

  const prepare = (values: ReadonlyArray<Buffer | null>) =>
    lookUpSchemaIds(values, byId, options.registry, current, readers);

  const encode = createEncoder(current);

  function decode(bytes: Buffer): DecodedEvent {
    let reader: Reader;
    let body: Buffer;
    if (bytes.length >= CONFLUENT_HEADER_BYTES && bytes[0] === CONFLUENT_MAGIC) {
      reader = confluentReader(byId, options.registry !== undefined, bytes);
      body = bytes.subarray(CONFLUENT_HEADER_BYTES);
    } else {
      reader = singleObjectReader(readers, bytes);
      body = bytes.subarray(HEADER_BYTES);
    }
    const value = readBody(reader, body);
    return { eventType: reader.eventType, value } as DecodedEvent;
  }

  return {
    encode,
    decode,
    decodeAs(eventType, bytes) {
      const decoded = decode(bytes);
      if (decoded.eventType !== eventType)
        throw new DecodeError('unexpected-type', `expected ${eventType}, got ${decoded.eventType}`);
      return decoded.value as EventPayloads[typeof eventType];
    },
    fingerprintOf: (eventType) => current.get(eventType)!.fingerprint,
    prepare,
    currentBodyOf(singleObject) {
      const reader = readers.get(singleObject.readBigUInt64LE(2));
      if (!reader || singleObject[0] !== MARKER_0 || singleObject[1] !== MARKER_1)
        throw new EventEncodeError('an outbox payload is not a single-object encoded event of a known schema');
      if (!reader.resolver) return { eventType: reader.eventType, body: singleObject.subarray(HEADER_BYTES) };
      const { value } = decode(singleObject) as { value: EventPayloads[EventType] };
      const framed = encode(reader.eventType, value as never);
      return { eventType: reader.eventType, body: framed.subarray(HEADER_BYTES) };
    },
  };
}

/** Looks up, in the registry, the schema ids of Confluent-framed values not seen yet, into `byId`. */
async function lookUpSchemaIds(
  values: ReadonlyArray<Buffer | null>,
  byId: Map<number, Reader | DecodeError>,
  registry: Pick<SchemaRegistryClient, 'schemaOf'> | undefined,
  current: Map<EventType, SchemaVersion>,
  readers: Map<bigint, Reader>,
): Promise<void> {
  const wanted = new Set<number>();
  for (const v of values)
    if (v && v.length >= CONFLUENT_HEADER_BYTES && v[0] === CONFLUENT_MAGIC) {
      const id = v.readUInt32BE(1);
      if (!byId.has(id)) wanted.add(id);
    }
  if (wanted.size === 0 || !registry) return;
  for (const id of wanted) {
    const canonical = await registry.schemaOf(id);
    byId.set(
      id,
      canonical === undefined
        ? new DecodeError('unknown-schema-id', `the schema registry has no schema ${id}`)
        : readerOfRegistered(current, readers, id, canonical),
    );
  }
}

/** Fingerprint (as a bigint key, no allocation per lookup) -> how to read bytes written with it. */
function fingerprintReaders(current: Map<EventType, SchemaVersion>, released: SchemaVersion[]): Map<bigint, Reader> {
  const readers = new Map<bigint, Reader>();
  for (const s of current.values())
    readers.set(s.fingerprint.readBigUInt64LE(0), { eventType: s.eventType, type: s.type, resolver: undefined });
  for (const s of released) {
    const key = s.fingerprint.readBigUInt64LE(0);
    if (readers.has(key)) continue;
    const reader = current.get(s.eventType)!.type;
    readers.set(key, { eventType: s.eventType, type: reader, resolver: reader.createResolver(s.type) });
  }
  return readers;
}

const EVENT_TYPE_OF_NAME = new Map<string, EventType>(EVENT_TYPES.map((t) => [`${NAMESPACE}.${t}`, t]));

/** How to read values written with a schema the registry holds (its canonical form). */
function readerOfRegistered(
  current: Map<EventType, SchemaVersion>,
  readers: Map<bigint, Reader>,
  id: number,
  canonical: string,
): Reader | DecodeError {
  let writer: ReturnType<typeof parseSchema>;
  try {
    writer = parseSchema(JSON.parse(canonical));
  } catch (error) {
    return new DecodeError(
      'unknown-schema-id',
      `schema ${id} of the registry is not an Avro schema: ${(error as Error).message}`,
    );
  }
  const known = readers.get(writer.fingerprint.readBigUInt64LE(0));
  if (known) return known;
  // A version this release does not have (written by a newer one): read by name, through a resolver.
  const name = (writer.type as avro.Type & { name?: string }).name ?? '';
  const eventType = EVENT_TYPE_OF_NAME.get(name);
  if (!eventType)
    return new DecodeError(
      'unexpected-type',
      `schema ${id} of the registry is ${name || 'not a record'}, not an event`,
    );
  const reader = current.get(eventType)!.type;
  try {
    return { eventType, type: reader, resolver: reader.createResolver(writer.type) };
  } catch (error) {
    return new DecodeError(
      'unknown-schema-id',
      `schema ${id} of the registry (${name}) cannot be read with this release's schema: ${(error as Error).message}`,
    );
  }
}

// Events are written into one scratch buffer after their 10-byte header, then copied once into a
// buffer of their exact size: avsc's toBuffer() would write into its own, copy into a zero-filled one,
// and this function would copy that again behind the header.
function createEncoder(current: Map<EventType, SchemaVersion>) {
  let scratch = Buffer.allocUnsafe(64 * 1024);
  return function encode<K extends EventType>(eventType: K, value: EventPayloads[K]): Buffer {
    const schema = current.get(eventType)!;
    let end: number;
    try {
      end = schema.type.encode(value, scratch, HEADER_BYTES);
      // Too small: avsc answers with minus the bytes missing; the buffer grows and the value is written again.
      while (end < 0) {
        scratch = Buffer.allocUnsafe(2 * (scratch.length - end));
        end = schema.type.encode(value, scratch, HEADER_BYTES);
      }
    } catch (error) {
      const problems: string[] = [];
      schema.type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(root)') });
      throw new EventEncodeError(
        `${eventType} does not match its schema at ${problems.join(', ') || '?'}: ${(error as Error).message}`,
      );
    }
    scratch[0] = MARKER_0;
    scratch[1] = MARKER_1;
    schema.fingerprint.copy(scratch, 2);
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, 0, 0, end);
    return out;
  };
}

function confluentReader(byId: Map<number, Reader | DecodeError>, hasRegistry: boolean, bytes: Buffer): Reader {
  const id = bytes.readUInt32BE(1);
  const reader = byId.get(id);
  if (reader instanceof DecodeError) throw reader;
  if (reader) return reader;
  if (!hasRegistry)
    throw new DecodeError(
      'no-schema-registry',
      `a Confluent-framed value (schema id ${id}) and no schema registry to look it up in (SCHEMA_REGISTRY_URL)`,
    );
  // A caller that skipped prepare(): a programming error, not the event's.
  throw new Error(`schema id ${id} was not prepared before decoding`);
}

function singleObjectReader(readers: Map<bigint, Reader>, bytes: Buffer): Reader {
  if (bytes.length < HEADER_BYTES || bytes[0] !== MARKER_0 || bytes[1] !== MARKER_1) {
    throw new DecodeError(
      'not-single-object-encoded',
      'value starts with neither the Avro single-object marker C3 01 nor the Confluent magic byte 00',
    );
  }
  const fingerprint = bytes.readBigUInt64LE(2);
  const reader = readers.get(fingerprint);
  if (!reader) {
    throw new DecodeError(
      'unknown-fingerprint',
      `no known schema has fingerprint ${bytes.subarray(2, HEADER_BYTES).toString('hex')}`,
    );
  }
  return reader;
}

/** The value of an event's body, read to its last byte. */
function readBody(reader: Reader, body: Buffer): unknown {
  let value: unknown;
  try {
    const result: { value: unknown; offset: number } = reader.type.decode(body, 0, reader.resolver);
    const { value: v, offset } = result;
    if (offset !== body.length)
      throw new Error(offset < 0 ? 'truncated body' : `${body.length - offset} trailing bytes`);
    value = v;
  } catch (error) {
    throw new DecodeError('corrupt-body', `${reader.eventType} body cannot be decoded: ${(error as Error).message}`);
  }
  return value;
}
