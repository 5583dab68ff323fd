// The providers of this process, one per channel as MESSAGE_PROVIDERS says (every channel to the
// generic gateway by default). A provider serving two channels (Twilio's sms and whatsapp) is one
// client, one connection pool.
import type { Channel } from '../domain/types.js';
import { createBrevoClient } from './brevo/brevoClient.js';
import type { BrevoSettings } from './brevo/brevoSettings.js';
import { createGatewayClient, type GatewaySettings } from './gateway/gatewayClient.js';
import { GATEWAY, type MessageProvider, type ProviderMap, type ProviderName } from './provider.js';
import { createTwilioClient } from './twilio/twilioClient.js';
import type { TwilioSettings } from './twilio/twilioSettings.js';

export interface ChannelProviderSettings {
  map: ProviderMap;
  publicBaseUrl: string | null;
  gateway: GatewaySettings;
  twilio: TwilioSettings | null;
  brevo: BrevoSettings | null;
}

export interface ChannelProviders {
  of(channel: Channel): MessageProvider;
  /** The provider of that name, when some channel goes through it. */
  named(name: ProviderName): MessageProvider | undefined;
  close(): Promise<void>;
}

export const TWILIO_STATUS_PATH = '/v1/providers/twilio/status';
export const TWILIO_INBOUND_PATH = '/v1/providers/twilio/inbound';
export const BREVO_EVENTS_PATH = '/v1/providers/brevo/events';

export function createChannelProviders(settings: ChannelProviderSettings, now: () => Date): ChannelProviders {
  const made = new Map<ProviderName, MessageProvider>();
  const make = (name: ProviderName): MessageProvider => {
    const base = settings.publicBaseUrl ?? '';
    // What every provider's HTTP client takes besides its own settings and callback URL.
    const client = { timeoutMs: settings.gateway.timeoutMs, now };
    switch (name) {
      case GATEWAY:
        return createGatewayClient(settings.gateway, now);
      case 'twilio':
        return createTwilioClient({
          settings: settings.twilio!,
          statusCallbackUrl: `${base}${TWILIO_STATUS_PATH}`,
          ...client,
        });
      case 'brevo':
        return createBrevoClient({
          settings: settings.brevo!,
          eventsUrl: `${base}${BREVO_EVENTS_PATH}`,
          ...client,
        });
    }
  };
  const byChannel = new Map<Channel, MessageProvider>();
  for (const [channel, name] of Object.entries(settings.map) as Array<[Channel, ProviderName]>) {
    if (!made.has(name)) made.set(name, make(name));
    byChannel.set(channel, made.get(name)!);
  }
  return {
    of: (channel) => byChannel.get(channel)!,
    named: (name) => made.get(name),
    close: async () => void (await Promise.all([...made.values()].map((p) => p.close()))),
  };
}
