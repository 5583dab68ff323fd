// The port between the sender and the providers we do not own (a generic HTTP gateway, Twilio,
// Brevo): send one message and learn what came of it; and, for the callback routes, what a
// provider's callback says (a delivery receipt, a seller's inbound message). One module per provider
// implements it (src/providers/*); the sender picks one per channel (MESSAGE_PROVIDERS).
import type { Channel } from '../domain/types.js';
import type { HoldReason } from './failureCodes.js';

/**
 * The generic message gateway (MESSAGE_GATEWAY_URL, src/providers/gateway/). `http` is its name where
 * others read it: in MESSAGE_PROVIDERS (`leboncoin:http`), in messages.provider, in events and metric
 * labels. That name is the contract; in the code it is the gateway.
 */
export const GATEWAY = 'http' as const;
export const PROVIDERS = [GATEWAY, 'twilio', 'brevo'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export type ProviderMap = Record<Channel, ProviderName>;

export interface OutboundMessage {
  messageId: string;
  channel: Channel;
  /** E.164 for sms and whatsapp (the provider adds its own prefixes), the listing id for leboncoin. */
  to: string;
  /** The account's own sender for the channel (E.164, a short code or an alphanumeric ID), or null for the provider's default. */
  from: string | null;
  content: string;
  /**
   * WhatsApp: the approved template to send instead of `content` (Twilio's ContentSid and its numbered
   * variables, rendered), outside the 24 hours after the seller's last message. Null: `content` is sent.
   */
  template: { contentSid: string; variables: Record<string, string> } | null;
  /** When the seller's contact window closes: the provider must not deliver after it (null: no window). */
  validUntil: Date | null;
}

export interface SendOptions {
  /**
   * Set when a previous attempt, begun at that instant, may have reached the provider without its
   * answer reaching us (a timeout, a reset connection, a crash): a provider without idempotency keys
   * looks the message up before sending it again. Null: no attempt is in doubt.
   */
  unconfirmedSince: Date | null;
}

export type SendOutcome =
  | { kind: 'sent'; externalId: string | null; sentAt: Date; from: string | null; lookedUp?: boolean }
  /**
   * A refusal that will not change. `reason` is what the message's last_error records: one of
   * FAILURE_REASONS for a code the table of src/providers/failureCodes.ts names, the provider's answer
   * otherwise; `code` the provider's; `smsFallback`: a WhatsApp message refused so gets its SMS fallback.
   */
  | { kind: 'permanent'; reason: string; detail?: string; code?: string; smsFallback?: boolean }
  /** The provider says the phone opted out (e.g. Twilio 21610): the phone is opted out for every account. */
  | { kind: 'opted_out'; detail: string; code?: string }
  /**
   * Not the message's problem but the account's or the deployment's (credentials, a region not
   * enabled, a sender not allowed, no credits): sending is held and the message stays pending.
   * `scope` sender: the account's own sender when it sent from one, the provider's otherwise.
   */
  | { kind: 'held'; scope: 'provider' | 'sender'; reason: HoldReason; code: string; detail: string }
  /**
   * Worth another try. `uncertain`: the request may have reached the provider (its answer was lost),
   * so the next attempt must not send blindly.
   */
  | { kind: 'retry'; reason: string; retryAfterMs: number | null; uncertain: boolean };

/** What the reconciliation knows of a sent message whose final status never came. */
export interface SentMessageRef {
  messageId: string;
  externalId: string | null;
  recipient: string;
  sentAt: Date;
}

export interface MessageProvider {
  readonly name: ProviderName;
  send(message: OutboundMessage, options: SendOptions): Promise<SendOutcome>;
  /**
   * The message as the provider has it now, read as its status callback would have said it (a lost
   * callback): a receipt once its status is final, `ignored` while it is not, `unknown` when the
   * provider cannot say (it keeps no such message, or has no way to look one up).
   */
  fetchStatus(message: SentMessageRef): Promise<ProviderCallback | { kind: 'unknown'; why: string }>;
  close(): Promise<void>;
}

/** What a provider's callback says, once verified and read. */
export type ProviderCallback =
  | {
      kind: 'receipt';
      messageId: string | null;
      externalId: string | null;
      status: 'delivered' | 'undelivered';
      /** What is recorded and published (Twilio's ErrorCode; Brevo's bounce reason). */
      errorCode: string | null;
      /** With undelivered: the key of src/providers/failureCodes.ts (Twilio's ErrorCode, Brevo's event). */
      finalCode?: string | null;
      at: Date;
    }
  | {
      kind: 'inbound';
      providerMessageId: string;
      from: string;
      to: string | null;
      text: string;
      optOut: 'stop' | 'start' | null;
      at: Date;
      /** The message it answers, when the provider says (Brevo's reply events name their SMS). */
      inReplyTo?: { messageId: string | null; externalId: string | null };
    }
  /** A callback that changes nothing here (queued, sent, accepted …): acknowledged and counted. */
  | { kind: 'ignored'; what: string };
