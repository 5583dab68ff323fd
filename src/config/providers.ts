// MESSAGE_PROVIDERS and each provider's settings, read by src/config.ts (the only reader of the
// environment): which provider sends each channel, and what each provider needs to work. A provider
// named without its settings, or a channel it cannot carry, stops the process with the variable's name.
import { parseSmsSender, type SmsSender } from '../domain/smsSender.js';
import { CHANNELS, type Channel } from '../domain/types.js';
import { GATEWAY, PROVIDERS, type ProviderMap, type ProviderName } from '../providers/provider.js';

/** The channels each provider can carry. */
const CARRIES: Record<ProviderName, readonly Channel[]> = {
  http: CHANNELS,
  twilio: ['sms', 'whatsapp'],
  brevo: ['sms'],
};

/** "sms:twilio,whatsapp:twilio,leboncoin:http"; a channel not named keeps the generic gateway (http). */
export function parseProviderMap(
  text: string | undefined,
): { ok: true; value: ProviderMap } | { ok: false; problem: string } {
  const map: ProviderMap = { sms: GATEWAY, whatsapp: GATEWAY, leboncoin: GATEWAY };
  if (!text || text.trim() === '') return { ok: true, value: map };
  const seen = new Set<string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [channel, provider, ...rest] = part.split(':').map((s) => s.trim());
    if (!channel || !provider || rest.length > 0)
      return {
        ok: false,
        problem: `must be a comma-separated list of channel:provider, e.g. sms:twilio,whatsapp:twilio,leboncoin:http (got "${part}")`,
      };
    if (!(CHANNELS as readonly string[]).includes(channel))
      return { ok: false, problem: `names an unknown channel "${channel}" (channels: ${CHANNELS.join(', ')})` };
    if (!(PROVIDERS as readonly string[]).includes(provider))
      return { ok: false, problem: `names an unknown provider "${provider}" (providers: ${PROVIDERS.join(', ')})` };
    if (seen.has(channel)) return { ok: false, problem: `names the channel "${channel}" twice` };
    if (!CARRIES[provider as ProviderName].includes(channel as Channel))
      return {
        ok: false,
        problem: `maps ${channel} to ${provider}, which carries only ${CARRIES[provider as ProviderName].join(', ')}`,
      };
    seen.add(channel);
    map[channel as Channel] = provider as ProviderName;
  }
  return { ok: true, value: map };
}

export const providersUsed = (map: ProviderMap): Set<ProviderName> => new Set(Object.values(map));

/**
 * TWILIO_FROM: what French operators carry for business SMS: an alphanumeric sender ID (3 to 11
 * letters, digits or spaces, at least one letter; one-way), a short code, an E.164 number (a French
 * mobile number is not carried for A2P traffic), or a Messaging Service SID (MG + 32 hex, sent as
 * MessagingServiceSid). `sender` says which, for the STOP mention and for replies.
 */
export function parseTwilioFrom(
  text: string,
):
  | { ok: true; value: { from: string } | { messagingServiceSid: string }; sender: SmsSender }
  | { ok: false; problem: string } {
  const sender = parseSmsSender(text);
  if (!sender)
    return {
      ok: false,
      problem:
        'must be an alphanumeric sender ID (3 to 11 letters, digits or spaces, at least one letter, e.g. GarageDupon), a short code (e.g. 36123), an E.164 number such as +33757000000, or a Messaging Service SID (MG followed by 32 hex digits)',
    };
  return {
    ok: true,
    value: sender.kind === 'messagingService' ? { messagingServiceSid: sender.value } : { from: sender.value },
    sender,
  };
}

/** TWILIO_WHATSAPP_FROM: "whatsapp:+E.164" (the prefix may be left out), or a Messaging Service SID. */
export function parseTwilioWhatsAppFrom(text: string) {
  const parsed = parseTwilioFrom(text.trim().replace(/^whatsapp:/i, ''));
  if (!parsed.ok || parsed.sender.kind === 'alphanumeric' || parsed.sender.kind === 'shortCode')
    return {
      ok: false as const,
      problem: 'must be a WhatsApp sender such as whatsapp:+14155238886, or a Messaging Service SID',
    };
  return parsed;
}

/** BREVO_SENDER: Brevo takes an alphanumeric sender of 11 characters at most, or a number of 15 digits at most. */
export function brevoSenderProblem(text: string): string | null {
  const s = text.trim();
  if (/^[A-Za-z0-9]{1,11}$/.test(s) && /[A-Za-z]/.test(s)) return null;
  if (/^\d{1,15}$/.test(s)) return null;
  return 'must be 11 letters or digits at most (an alphanumeric sender such as GarageDupon), or a number of 15 digits at most';
}

/** BREVO_WEBHOOK_SECRET: one secret, or two ("old,new") while it is rotated. */
export function parseWebhookSecrets(text: string): { ok: true; value: string[] } | { ok: false; problem: string } {
  const secrets = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0 || secrets.length > 2)
    return { ok: false, problem: 'must be one secret, or two separated by a comma while rotating ("old,new")' };
  if (secrets.some((s) => s.length < 16))
    return { ok: false, problem: 'each secret must be at least 16 characters long' };
  return { ok: true, value: secrets };
}

/**
 * The opt-out mention appended to an SMS that carries none (SMS_OPT_OUT_MENTION when set). Brevo
 * replaces [STOP_CODE] with its opt-out short code on marketing SMS; from a number or a short code
 * (Twilio, a generic gateway) the seller answers STOP to the sender itself. An alphanumeric sender has
 * no default: nobody can answer it, and only the deployment knows where STOP goes (a short code of its
 * own). Both are GSM-7 (no "ê"): one character outside it would make every SMS UCS-2, and its
 * segments 70 characters instead of 160.
 */
export const defaultOptOutMention = (smsProvider: ProviderName) =>
  smsProvider === 'brevo' ? 'STOP au [STOP_CODE]' : 'Répondez STOP pour ne plus recevoir nos SMS';
