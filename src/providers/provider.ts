// The port between the sender and the providers we do not own (a generic HTTP gateway, Twilio,
// Brevo): send one message and learn what came of it; and, for the callback routes, what a
// provider's callback says (a delivery receipt, a seller's inbound message). One module per provider
// implements it (src/providers/*); the sender picks one per channel (MESSAGE_PROVIDERS).
import type { Channel } from '../domain/types.js';

export const PROVIDERS = ['http', 'twilio', 'brevo'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export type ProviderMap = Record<Channel, ProviderName>;

export interface OutboundMessage {
  messageId: string;
  channel: Channel;
  /** E.164 for sms and whatsapp (the provider adds its own prefixes), the listing id for leboncoin. */
  to: string;
  /** The account's own number for the channel (E.164), or null for the provider's default sender. */
  from: string | null;
  content: string;
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
  /** A refusal that will not change. `reason` is what the message's last_error records. */
  | { kind: 'permanent'; reason: string; detail?: string }
  /** The provider says the phone opted out (e.g. Twilio 21610): the phone is opted out for every account. */
  | { kind: 'opted_out'; detail: string }
  /**
   * Worth another try. `uncertain`: the request may have reached the provider (its answer was lost),
   * so the next attempt must not send blindly.
   */
  | { kind: 'retry'; reason: string; retryAfterMs: number | null; uncertain: boolean };

export interface MessageProvider {
  readonly name: ProviderName;
  send(message: OutboundMessage, options: SendOptions): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** What a provider's callback says, once verified and read. */
export type ProviderCallback =
  | {
      kind: 'receipt';
      messageId: string | null;
      externalId: string | null;
      status: 'delivered' | 'undelivered';
      errorCode: string | null;
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
