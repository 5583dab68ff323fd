// Avro single-object encoding (specification, "Single-object encoding"):
//   C3 01 | CRC-64-AVRO fingerprint of the writer schema, 8 bytes little-endian | Avro binary body
// Any Avro library can decode our events with the files in schemas/ and no registry.
import type avro from 'avsc';
import { loadCurrentSchemas, loadReleasedSchemas, type EventType, type SchemaVersion } from './schemas.js';
import type { EventPayloads } from './types.generated.js';

const MARKER_0 = 0xc3;
const MARKER_1 = 0x01;
const HEADER_BYTES = 10;

/** Why a message is not a decodable event: the codec's reasons, then those of its envelope (src/consumers/pipeline/decode.ts). */
export type DecodeFailure =
  | 'not-single-object-encoded'
  | 'unknown-fingerprint'
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
  encode<K extends EventType>(eventType: K, value: EventPayloads[K]): Buffer;
  decode(bytes: Buffer): DecodedEvent;
  decodeAs<K extends EventType>(eventType: K, bytes: Buffer): EventPayloads[K];
  fingerprintOf(eventType: EventType): Buffer;
}

interface Reader {
  eventType: EventType;
  /** The current schema; bytes written with an older released schema go through its resolver. */
  type: avro.Type;
  resolver: avro.Resolver | undefined;
}

export function createCodec(
  options: { current?: Map<EventType, SchemaVersion>; released?: SchemaVersion[] } = {},
): Codec {
  const current = options.current ?? loadCurrentSchemas();
  const released = options.released ?? loadReleasedSchemas();
  // Fingerprint (as a bigint key, no allocation per lookup) -> how to read bytes written with it.
  const readers = new Map<bigint, Reader>();
  for (const s of current.values())
    readers.set(s.fingerprint.readBigUInt64LE(0), { eventType: s.eventType, type: s.type, resolver: undefined });
  for (const s of released) {
    const key = s.fingerprint.readBigUInt64LE(0);
    if (readers.has(key)) continue;
    const reader = current.get(s.eventType)!.type;
    readers.set(key, { eventType: s.eventType, type: reader, resolver: reader.createResolver(s.type) });
  }

  // Events are written into one scratch buffer after their 10-byte header, then copied once into a
  // buffer of their exact size: avsc's toBuffer() would write into its own, copy into a zero-filled one,
  // and this function would copy that again behind the header.
  let scratch = Buffer.allocUnsafe(64 * 1024);

  function encode<K extends EventType>(eventType: K, value: EventPayloads[K]): Buffer {
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
  }

  function decode(bytes: Buffer): DecodedEvent {
    if (bytes.length < HEADER_BYTES || bytes[0] !== MARKER_0 || bytes[1] !== MARKER_1) {
      throw new DecodeError(
        'not-single-object-encoded',
        'value does not start with the Avro single-object marker C3 01',
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
    const body = bytes.subarray(HEADER_BYTES);
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
  };
}
