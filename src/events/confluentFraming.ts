// The Confluent wire format's framing: magic byte 0, the schema's id in the registry (4 bytes,
// big-endian), then the Avro binary body. What Kafka Connect's AvroConverter, ksqlDB, Flink's
// avro-confluent format and the Kafka UIs read.
export const CONFLUENT_MAGIC = 0x00;
export const CONFLUENT_HEADER_BYTES = 5;

/** The value for a topic: the framing, then the body. */
export function frameConfluent(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + body.length);
  out[0] = CONFLUENT_MAGIC;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, CONFLUENT_HEADER_BYTES);
  return out;
}
