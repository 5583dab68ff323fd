// Webhooks, the pure part: the event types an account subscribes to, and what an attempt's outcome
// does to its delivery (the retry schedule) and to its endpoint (failing since when; disabled when).

/** The webhook event types (Standard Webhooks' `type`), one per downstream event. */
export const WEBHOOK_EVENT_TYPES = [
  'lead.created',
  'message.sent',
  'message.failed',
  'message.delivered',
  'seller.replied',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Delivery order among the pending deliveries of one endpoint about one lead: a lead's creation comes first. */
export const rankOf = (type: WebhookEventType): number => (type === 'lead.created' ? 0 : 1);

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface AttemptSettlement {
  delivery: {
    status: DeliveryStatus;
    /** When the next attempt is due (pending), or null. */
    nextAttemptAt: Date | null;
    /** How many waits of the schedule were used, this one included. */
    scheduleStep: number;
  };
  endpoint: {
    /** The first failed attempt since the last success; null after a success. */
    failingSince: Date | null;
    /** The endpoint has failed for the whole window: disable it, saying why. */
    disable: { reason: string } | null;
  };
}

/**
 * What an attempt's outcome decides. A success delivers, and the endpoint is healthy again. A failure
 * schedules the next attempt after the schedule's next wait (Svix's by default: 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h), or fails the delivery once the schedule is used up; an endpoint whose attempts have
 * all failed for `disableAfterMs` (5 days by default) is disabled.
 */
export function settleAttempt(input: {
  succeeded: boolean;
  /** The waits of the schedule used so far by this delivery. */
  scheduleStep: number;
  schedule: readonly number[];
  now: Date;
  failingSince: Date | null;
  disableAfterMs: number;
  /** What went wrong, for the reason an endpoint is disabled with. */
  failure?: string;
}): AttemptSettlement {
  const { now } = input;
  if (input.succeeded) {
    return {
      delivery: { status: 'delivered', nextAttemptAt: null, scheduleStep: input.scheduleStep },
      endpoint: { failingSince: null, disable: null },
    };
  }
  const failingSince = input.failingSince ?? now;
  const failedForMs = now.getTime() - failingSince.getTime();
  const disable =
    failedForMs >= input.disableAfterMs
      ? {
          reason: `every attempt failed since ${failingSince.toISOString()} (${formatDuration(failedForMs)})${input.failure ? `; the last: ${input.failure}` : ''}`,
        }
      : null;
  const wait = input.schedule[input.scheduleStep];
  return {
    delivery:
      wait === undefined
        ? { status: 'failed', nextAttemptAt: null, scheduleStep: input.scheduleStep }
        : { status: 'pending', nextAttemptAt: new Date(now.getTime() + wait), scheduleStep: input.scheduleStep + 1 },
    endpoint: { failingSince, disable },
  };
}

/** "5 days 2 h", "3 h 10 min", "42 s". */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${minutes ? ` ${minutes} min` : ''}`;
  if (minutes > 0) return `${minutes} min`;
  return `${s} s`;
}
