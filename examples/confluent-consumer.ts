// A downstream consumer of hunt-matcher's events in the Confluent wire format (EVENT_WIRE_FORMAT=confluent),
// written the way another team would write it: kafkajs and @kafkajs/confluent-schema-registry, and no
// .avsc file at all: each value names its writer schema by id, and the registry has it (docs/events.md,
// "The Confluent wire format"). It prints every lead and what became of its message.
//
//   KAFKA_BROKERS=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 npx tsx examples/confluent-consumer.ts
//
// Environment: KAFKA_BROKERS (comma-separated, default localhost:9092), TOPIC_PREFIX (default empty),
// SCHEMA_REGISTRY_URL (the registry's Confluent API, default http://localhost:8081; Apicurio's is
// .../apis/ccompat/v7), GROUP_ID (default crm-confluent).
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',').map((b) => b.trim());
const prefix = process.env.TOPIC_PREFIX ?? '';
const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL ?? 'http://localhost:8081' });
const topics = ['leads.created', 'messages.sent', 'messages.failed', 'messages.delivered', 'messages.replied'];

const kafka = new Kafka({ clientId: 'crm-confluent-example', brokers, logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: process.env.GROUP_ID ?? 'crm-confluent' });
const seen = new Set<string>(); // at-least-once: a real consumer stores these ids with its effects

await consumer.connect();
await consumer.subscribe({ topics: topics.map((t) => `${prefix}${t}`), fromBeginning: true });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    const eventId = message.headers?.['event-id']?.toString();
    if (!message.value || (eventId && seen.has(eventId))) return;
    // Magic byte 0, then the schema id: Confluent-framed. Anything else was written before the switch
    // (Avro single-object encoding, C3 01: see examples/crm-consumer.ts).
    if (message.value[0] !== 0) {
      console.log(`[confluent] skipped ${topic}@${message.offset}: not Confluent-framed (written before the switch)`);
      return;
    }
    // The writer schema comes from the registry by the value's id (and is cached by the client).
    const event = (await registry.decode(message.value)) as Record<string, unknown>;
    const type = message.headers?.['event-type']?.toString();
    if (type === 'LeadCreated') {
      const ad = event.ad as { title: string; price: number | null };
      console.log(
        `[confluent] lead created: ${String(event.leadId)} stage=${String(event.stage)} "${ad.title}" ${ad.price ?? ''}`,
      );
    } else {
      console.log(`[confluent] ${type}: lead ${String(event.leadId)} message ${String(event.messageId)}`);
    }
    if (eventId) seen.add(eventId);
  },
});
console.log(`[confluent] consuming ${topics.join(', ')} (prefix "${prefix}") from ${brokers.join(',')}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    consumer
      .disconnect()
      .then(() => {
        console.log('[confluent] stopped');
        process.exit(0);
      })
      .catch(() => process.exit(1));
  });
