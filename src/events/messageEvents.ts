// The events that settle a message, built in one place for every writer that settles one (the
// sender, an opt-out, a receipt): what follows from a message follows from the SendMessage that
// commanded it, in the same chain.
import type { OutgoingEvent } from './envelope.js';

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

export const causeOfMessage = (m: Pick<MessageOfEvent, 'command_event_id' | 'correlation_id'>) =>
  m.command_event_id && m.correlation_id ? { eventId: m.command_event_id, correlationId: m.correlation_id } : undefined;

export const messageFailedEvent = (m: MessageOfEvent, reason: string, permanent: boolean, at: Date): OutgoingEvent => ({
  eventType: 'MessageFailed',
  key: m.account_id,
  cause: causeOfMessage(m),
  value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, reason, permanent, attempts: m.attempts, failedAt: at.getTime() },
});

export const messageSentEvent = (m: MessageOfEvent, externalId: string | null, sentAt: Date): OutgoingEvent => ({
  eventType: 'MessageSent',
  key: m.account_id,
  cause: causeOfMessage(m),
  value: { messageId: m.id, accountId: m.account_id, leadId: m.lead_id, adId: m.ad_id, channel: m.channel, externalId, attempts: m.attempts, sentAt: sentAt.getTime() },
});
