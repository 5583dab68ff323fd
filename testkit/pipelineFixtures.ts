// Events and a handler context for unit tests of the pipeline's layers.
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import type { ConsumedEvent, HandlerContext } from '../src/consumers/pipeline/consumedEvent.js';
import type { PipelineDeps } from '../src/consumers/pipeline/pipeline.js';
import { newEventId } from '../src/events/envelope.js';
import { createKafka, createProducer } from '../src/platform/kafka.js';
import { createLogger } from '../src/platform/logger.js';
import { createMetrics } from '../src/platform/metrics.js';
import { sampleEvents } from './eventSamples.js';
import type { TestEnv } from './testEnv.js';

export const silentLog = pino({ level: 'silent' });

export function handlerContext(overrides: Partial<HandlerContext> = {}): HandlerContext & { heartbeats: number } {
  const ctx = {
    heartbeats: 0,
    log: silentLog,
    isRunning: () => true,
    heartbeat: async () => {
      ctx.heartbeats++;
    },
    ...overrides,
  };
  return ctx;
}

let offset = 0;
export function consumedHuntChanged(version: number, eventId = newEventId()): ConsumedEvent<'HuntChanged'> {
  const o = String(offset++);
  const raw: KafkaMessage = {
    key: Buffer.from('k'),
    value: Buffer.from(`v${version}`),
    timestamp: '0',
    attributes: 0,
    offset: o,
    headers: { 'event-id': eventId },
  };
  return {
    eventType: 'HuntChanged',
    value: { ...sampleEvents.HuntChanged, version },
    eventId,
    correlationId: eventId,
    causationId: eventId,
    occurredAt: new Date(0).toISOString(),
    topic: 'p.hunts.changed',
    partition: 0,
    offset: o,
    key: 'k',
    raw,
    receivedAt: 0,
  };
}

/**
 * The pipeline's dependencies on a test file's broker and database (integration tests), with its
 * dead-letter producer connected: disconnect it in afterAll.
 */
export async function pipelineDepsFor(t: TestEnv, clientId: string, onFatal: (e: Error) => void = () => undefined) {
  const log = createLogger({ level: 'fatal', pretty: 'false' });
  const kafka = createKafka({ brokers: t.kafkaBrokers, clientId, log });
  const producer = createProducer(kafka);
  await producer.connect();
  const metrics = createMetrics({ defaultMetrics: false });
  const deps: PipelineDeps = {
    kafka,
    db: t.db,
    codec: t.codec,
    topics: t.topics,
    log,
    metrics,
    dlqProducer: producer,
    concurrency: 2,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    onFatal,
  };
  return { kafka, producer, metrics, deps };
}
