// kafkajs 2.2.4 (unmaintained) is patched at install (patches/kafkajs+2.2.4.patch, applied by
// patch-package from npm's postinstall): a record is encoded into one buffer of its exact size, its
// headers written into it, buffers are not zero-filled, a batch's encoders are sized once, and the batch
// checksum is computed natively (@node-rs/crc32). These tests hold the patch to what kafkajs encoded
// before it: kafkajs' own decoder reads back every key, value and header, the checksum is the one its
// own loop computes, and the patch is really applied.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => {
  buf: Buffer;
  buffer: Buffer;
  offset: number;
};
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (b: object) => Promise<{ buffer: Buffer }>;
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const Encoder = require('kafkajs/src/protocol/encoder.js') as {
  new (size?: number): { writeVarInt(v: number): unknown; writeUVarInt(v: number): unknown; buffer: Buffer };
  encodeZigZag(v: number): number;
};
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as ((b: Buffer) => number) & {
  native: boolean;
};
const crc32CLoop = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: Array<{ key: Buffer; value: Buffer; headers: Record<string, Buffer | Buffer[]>; offset: string }>;
}>;

const headersOf = (i: number) => ({
  'event-id': `0193a0f0-0000-7000-8000-${String(i).padStart(12, '0')}`,
  'event-type': 'LeadCreated',
  'occurred-at': '2026-12-06T20:00:00.000Z',
  'correlation-id': 'é-unicode-ü',
  'causation-id': Buffer.from([0, 1, 2, 255]),
  'content-type': ['avro/binary', 'repeated'],
});

describe('kafkajs record encoding (patched)', () => {
  it('encodes a record into a buffer of its exact size, not a 512-byte zero-filled one', () => {
    const record = Record({
      offsetDelta: 0,
      timestampDelta: 0,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: { a: 'b' },
    });
    // Unpatched, every record and header starts as Buffer.alloc(512).
    expect(record.buf.length).toBeLessThan(64);
    expect(record.buffer.length).toBe(record.offset);
  });

  it("reads back, with kafkajs' own decoder, every key, value and header of a batch", async () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: Buffer.from(`account-${i % 7}`),
      value: Buffer.alloc(200 + (i % 900), i % 251),
      headers: headersOf(i),
    }));
    const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: i }));
    const batch = await RecordBatch({
      records,
      firstTimestamp: 1_765_000_000_000,
      maxTimestamp: 1_765_000_000_299,
      lastOffsetDelta: messages.length - 1,
    });
    // The decoder checks the batch's length prefix and reads every record; a wrong size would throw or misread.
    const decoded = await decodeBatch(new Decoder(batch.buffer));
    expect(decoded.records).toHaveLength(messages.length);
    decoded.records.forEach((r, i) => {
      const m = messages[i]!;
      expect(r.key.equals(m.key)).toBe(true);
      expect(r.value.equals(m.value)).toBe(true);
      expect(r.headers['event-id']!.toString()).toBe(m.headers['event-id']);
      expect(r.headers['correlation-id']!.toString()).toBe('é-unicode-ü');
      expect((r.headers['causation-id'] as Buffer).equals(m.headers['causation-id'])).toBe(true);
      expect((r.headers['content-type'] as Buffer[]).map((b) => b.toString())).toEqual(['avro/binary', 'repeated']);
    });
  });

  it("computes the batch checksum natively, with the value of kafkajs' own loop", () => {
    expect(crc32C.native).toBe(true);
    // The check value of CRC-32C (RFC 3720, B.4): the nine ASCII digits.
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const size of [0, 1, 7, 64, 1000, 300_000]) {
      const buffer = Buffer.alloc(size, 0);
      for (let i = 0; i < size; i++) buffer[i] = (i * 131 + size) % 256;
      expect(crc32C(buffer)).toBe(crc32CLoop(buffer) >>> 0);
    }
  });

  it('writes varints in place, byte for byte as kafkajs wrote them (LEB128, zigzag when signed)', () => {
    // kafkajs' own loop, before the patch: the bytes into an array, then a Buffer of it.
    const leb128 = (value: number) => {
      const bytes: number[] = [];
      while ((value & 0xffffff80) !== 0) {
        bytes.push((value & 0x7f) | 0x80);
        value >>>= 7;
      }
      bytes.push(value & 0x7f);
      return Buffer.from(bytes);
    };
    for (const v of [
      0,
      1,
      63,
      64,
      127,
      128,
      300,
      16_383,
      16_384,
      2 ** 21,
      2 ** 28,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      -1,
      -64,
      -65,
      -(2 ** 31),
    ]) {
      const unsigned = new Encoder(1);
      unsigned.writeUVarInt(v);
      expect(unsigned.buffer.equals(leb128(v)), `unsigned ${v}`).toBe(true);
      const signed = new Encoder(1);
      signed.writeVarInt(v);
      expect(signed.buffer.equals(leb128(Encoder.encodeZigZag(v))), `signed ${v}`).toBe(true);
    }
  });
});
