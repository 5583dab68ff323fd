// What a consumer's handler sees: a decoded event with its envelope headers and where it came from.
import type { KafkaMessage } from 'kafkajs';
import type { EventType } from '../../events/schemas.js';
import type { EventPayloads } from '../../events/types.generated.js';
import type { Logger } from '../../platform/logger.js';

export type ConsumedEvent<K extends EventType = EventType> = {
  [T in K]: {
    eventType: T;
    value: EventPayloads[T];
    eventId: string;
    correlationId: string;
    causationId: string;
    occurredAt: string;
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
    /** The message as it came off the topic, for the dead-letter topic. */
    raw: KafkaMessage;
    /** When this process fetched it (epoch ms): where the consumer's own latency starts. */
    receivedAt: number;
  };
}[K];

export interface HandlerContext {
  log: Logger;
  /** Keeps the group membership alive during long work; cheap to call often. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: long work should return early (it will be redelivered). */
  isRunning(): boolean;
}

/**
 * One layer of the pipeline: applies a batch of events and returns the ones it applied (the others
 * were duplicates). Wrappers take an Apply and return one, watermill-style.
 */
export type Apply<K extends EventType> = (
  events: Array<ConsumedEvent<K>>,
  ctx: HandlerContext,
) => Promise<Array<ConsumedEvent<K>>>;

/** Thrown through the layers when the consumer stops in the middle of a batch: nothing is committed, the batch is redelivered. */
export class Interrupted extends Error {
  constructor() {
    super('the consumer is stopping; the batch will be redelivered');
    this.name = 'Interrupted';
  }
}
