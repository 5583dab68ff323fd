// The events that follow from a message, built in one place for every writer (the sender, an
// opt-out, a receipt, a seller's reply): what follows from a message follows from the SendMessage
// that commanded it, in the same chain.
import type { Cause, OutgoingEvent } from './envelope.js';
import type { SellerReplied } from './types.generated.js';

/** What a MessageFailed says of the provider's side, when a provider refused or failed the message. */
export interface FailureSource {
  errorCode?: string | null;
  provider?: string | null;
}

/** What the events need of a message (the messages table's columns). */
export interface MessageOfEvent {
  id: string;
  account_id: string;
  lead_id: string;
  ad_id: string;
  channel: string;
  attempts: number;
  command_event_id: string | null;
  correlation_id: string | null;
}

/** The SendMessage that commanded the message, in its chain (none for a message written before commands were recorded). */
const commandOf = (m: Pick<MessageOfEvent, 'command_event_id' | 'correlation_id'>): Cause | undefined =>
  m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined;

/** Which message an event speaks of. */
const messageFields = (m: MessageOfEvent) => ({
  messageId: m.id,
  accountId: m.account_id,
  leadId: m.lead_id,
  adId: m.ad_id,
  channel: m.channel,
});

export const messageFailedEvent = (
  m: MessageOfEvent,
  reason: string,
  permanent: boolean,
  at: Date,
  source: FailureSource = {},
): OutgoingEvent => ({
  eventType: 'MessageFailed',
  key: m.account_id,
  cause: commandOf(m),
  value: {
    ...messageFields(m),
    reason,
    permanent,
    attempts: m.attempts,
    failedAt: at.getTime(),
    errorCode: source.errorCode ?? null,
    provider: source.provider ?? null,
  },
});

/**
 * The command to send a message written after its decision (an SMS fallback taking a WhatsApp
 * message's place): it follows from the SendMessage of the message it replaces, in the same chain.
 */
export const sendMessageEvent = (
  m: MessageOfEvent & { hunt_id: string; recipient: string; content: string },
  replaces: Pick<MessageOfEvent, 'command_event_id' | 'correlation_id'>,
  at: Date,
): OutgoingEvent => ({
  eventType: 'SendMessage',
  key: m.account_id,
  ...(m.command_event_id ? { eventId: m.command_event_id } : {}),
  cause: commandOf(replaces),
  value: {
    messageId: m.id,
    accountId: m.account_id,
    leadId: m.lead_id,
    huntId: m.hunt_id,
    adId: m.ad_id,
    channel: m.channel,
    to: m.recipient,
    content: m.content,
    requestedAt: at.getTime(),
  },
});

export const messageSentEvent = (m: MessageOfEvent, externalId: string | null, sentAt: Date): OutgoingEvent => ({
  eventType: 'MessageSent',
  key: m.account_id,
  cause: commandOf(m),
  value: {
    ...messageFields(m),
    externalId,
    attempts: m.attempts,
    sentAt: sentAt.getTime(),
  },
});

/** A seller's reply to `answered`, joined to its lead. */
export const sellerRepliedEvent = (
  answered: Pick<MessageOfEvent, 'id' | 'account_id' | 'lead_id' | 'ad_id' | 'command_event_id' | 'correlation_id'> & {
    hunt_id: string;
  },
  reply: Pick<SellerReplied, 'replyId' | 'from' | 'to' | 'text' | 'receivedAt' | 'provider'>,
): OutgoingEvent => ({
  eventType: 'SellerReplied',
  key: answered.account_id,
  cause: commandOf(answered),
  value: {
    ...reply,
    leadId: answered.lead_id,
    adId: answered.ad_id,
    accountId: answered.account_id,
    huntId: answered.hunt_id,
    messageId: answered.id,
  },
});

/**
 * The events of messages given up (src/sql/messages/giveUpMessages.ts): MessageFailed (permanent, with the
 * provider's code) for each, for each message an opt-out it caused cancelled, and the SendMessage of
 * each SMS fallback that takes a WhatsApp message's place.
 */
export function givenUpEvents(
  result: {
    failed: Array<MessageOfEvent & { reason: string; code: string | null; provider: string | null }>;
    fallbacks: Array<MessageOfEvent & { hunt_id: string; recipient: string; content: string; fallback_of: string }>;
    cancelled: MessageOfEvent[];
  },
  permanent: (messageId: string) => boolean,
  at: Date,
): OutgoingEvent[] {
  const replaced = new Map(result.failed.map((m) => [m.id, m]));
  return [
    ...result.failed.map((m) =>
      messageFailedEvent(m, m.reason, permanent(m.id), at, { errorCode: m.code, provider: m.provider }),
    ),
    ...result.cancelled.map((m) => messageFailedEvent(m, 'opted_out', true, at)),
    ...result.fallbacks.map((m) => sendMessageEvent(m, replaced.get(m.fallback_of) ?? m, at)),
  ];
}
