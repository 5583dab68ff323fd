// Events and a handler context for unit tests of the pipeline's layers.
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import type { ConsumedEvent, HandlerContext } from '../../src/consumers/pipeline/consumedEvent.js';
import { newEventId } from '../../src/events/envelope.js';
import { sampleEvents } from './eventSamples.js';

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
  const raw: KafkaMessage = { key: Buffer.from('k'), value: Buffer.from(`v${version}`), timestamp: '0', attributes: 0, offset: o, headers: { 'event-id': eventId } };
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
