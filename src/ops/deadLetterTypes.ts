// What the dead-letter tools answer and take (src/ops/deadLetters.ts), for the CLI and the console.
import type { BaseTopic } from '../events/topics.js';

export interface DeadLetter {
  /** The source topic it came from, before TOPIC_PREFIX (e.g. ads.scraped); it sits in `<topic>.dlq`. */
  topic: BaseTopic;
  partition: number;
  /** Its offset in the dead-letter topic: what `replay --offset` takes. */
  offset: string;
  reason: string;
  sourcePartition: number | null;
  sourceOffset: string | null;
  consumer: string | null;
  deadLetteredAt: string;
  key: string | null;
  eventType: string | null;
  eventId: string | null;
  bytes: number;
  /** It is a replayed event that failed again: when that replay was published. */
  failedAfterReplayAt: string | null;
  /** When an operator replayed it, or null while it waits. */
  replayedAt: string | null;
}

export interface DeadLetterCount {
  topic: BaseTopic;
  /** Dead letters in the topic. */
  total: number;
  /** Those not replayed yet. */
  waiting: number;
}

export interface ReplayRequest {
  topic: BaseTopic;
  /** One dead letter by its offset, or every waiting one of the topic. */
  offset?: string;
  all?: boolean;
  dryRun?: boolean;
  partition?: number;
}

export interface Replayed {
  offset: string;
  to: { topic: string; partition: number | null; offset: string | null };
  eventId: string | null;
}

export interface ReplayResult {
  topic: BaseTopic;
  dryRun: boolean;
  replayed: Replayed[];
  /** Already replayed before (with --all they are left alone). */
  skipped: Array<{ offset: string; replayedAt: string }>;
}

/** A request an operator can fix: an unknown topic, an offset that is not there, a dead letter replayed already. */
export class DeadLetterRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetterRequestError';
  }
}
