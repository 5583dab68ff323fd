// The environment variables of the message providers and of the French rules for commercial SMS, and
// what each role needs of them (src/config.ts reads the environment; this builds the typed settings).
import { z } from 'zod';
import { optOutMentionProblem, parseSmsSender, type SmsSender } from '../domain/smsSender.js';
import { GATEWAY, type ProviderMap } from '../providers/provider.js';
import type { BrevoSettings } from '../providers/brevo/brevoSettings.js';
import type { TwilioSettings } from '../providers/twilio/twilioSettings.js';
import { httpUrl, int, optionalText } from './envValues.js';
import {
  brevoSenderProblem,
  defaultOptOutMention,
  parseProviderMap,
  parseTwilioFrom,
  parseTwilioWhatsAppFrom,
  parseWebhookSecrets,
  providersUsed,
} from './providers.js';

const url = httpUrl('https://host');

export const providerSchema = {
  MESSAGE_PROVIDERS: optionalText,
  PUBLIC_BASE_URL: url.optional(),
  TWILIO_ACCOUNT_SID: optionalText,
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_FROM: optionalText,
  TWILIO_WHATSAPP_FROM: optionalText,
  TWILIO_API_URL: url.default('https://api.twilio.com'),
  BREVO_API_KEY: optionalText,
  BREVO_SENDER: optionalText,
  BREVO_API_URL: url.default('https://api.brevo.com'),
  BREVO_WEBHOOK_SECRET: optionalText,
  SMS_OPT_OUT_MENTION: optionalText,
  SMS_MAX_SEGMENTS: int(3, 1, 10),
  SENDER_NAME_DEFAULT: z.string().trim().min(1).max(60).optional(),
  RECEIPT_RECONCILE_AFTER_MS: int(1_800_000, 1000),
  SENDING_PROBE_EVERY_MS: int(300_000, 1000),
};

type ProviderEnv = z.infer<ReturnType<typeof z.object<typeof providerSchema>>>;

export interface OutreachRules {
  /** Appended to an SMS whose text carries no STOP mention. */
  optOutMention: string;
  /** Who sends SMS: the provider of the channel, and its default sender (null: the generic gateway's own). */
  smsProvider: ProviderMap['sms'];
  smsSender: SmsSender | null;
  /** A hunt's template may need at most this many SMS segments at its longest. */
  maxSegments: number;
  /** The identity of accounts that set no senderName (unset: they are not messaged by SMS or WhatsApp). */
  senderNameDefault: string | null;
}

export interface ProvidersConfig {
  map: ProviderMap;
  /** Where the providers reach this service (their callbacks), without a trailing slash. */
  publicBaseUrl: string | null;
  twilio: TwilioSettings | null;
  brevo: BrevoSettings | null;
  outreach: OutreachRules;
  /** A sent message without its final status is read back at its provider after this long. */
  reconcileAfterMs: number;
  /** A held account or provider is probed this often. */
  probeEveryMs: number;
}

/**
 * Reads the providers' settings for the roles that run. `needsGateway`: some channel is left to the
 * generic gateway (its variables are then required as before). `problems` name each variable.
 */
export function providerSettings(
  e: ProviderEnv,
  roles: ReadonlySet<string>,
): { value: ProvidersConfig; needsGateway: boolean; problems: string[] } {
  const problems: string[] = [];
  const parsedMap = parseProviderMap(e.MESSAGE_PROVIDERS);
  if (!parsedMap.ok) problems.push(`MESSAGE_PROVIDERS ${parsedMap.problem}`);
  const map = parsedMap.ok ? parsedMap.value : { sms: GATEWAY, whatsapp: GATEWAY, leboncoin: GATEWAY };
  const used = providersUsed(map);
  let smsSender: SmsSender | null = null;
  const sender = roles.has('sender');
  const api = roles.has('api');
  const require = (name: keyof ProviderEnv, when: boolean, why: string) => {
    if (when && e[name] === undefined) problems.push(`${name} is required ${why}`);
  };

  const parsed = <T extends { ok: true }>(name: TextSetting, parse: (text: string) => T | Unparsed): T | null => {
    const text = e[name];
    if (text === undefined) return null;
    const result = parse(text);
    if ('problem' in result) {
      problems.push(`${name} ${result.problem}`);
      return null;
    }
    return result;
  };

  const checks: SettingsChecks = { e, map, sender, api, require, parsed, problems };
  const twilio = used.has('twilio') ? twilioSettingsOf(checks) : null;
  if (twilio?.smsSender) smsSender = twilio.smsSender;

  const brevo = used.has('brevo') ? brevoSettingsOf(checks) : null;
  if (brevo?.smsSender) smsSender = brevo.smsSender;

  const optOutMention = optOutMentionOf(e, map, smsSender, problems);

  return {
    value: {
      map,
      publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
      twilio: twilio?.settings ?? null,
      brevo: brevo?.settings ?? null,
      outreach: {
        optOutMention,
        smsProvider: map.sms,
        smsSender,
        maxSegments: e.SMS_MAX_SEGMENTS,
        senderNameDefault: e.SENDER_NAME_DEFAULT ?? null,
      },
      reconcileAfterMs: e.RECEIPT_RECONCILE_AFTER_MS,
      probeEveryMs: e.SENDING_PROBE_EVERY_MS,
    },
    needsGateway: used.has(GATEWAY),
    problems: [...new Set(problems)],
  };
}

/** The STOP mention, which must work from the sender SMS go out from (src/domain/smsSender.ts). */
function optOutMentionOf(e: ProviderEnv, map: ProviderMap, smsSender: SmsSender | null, problems: string[]): string {
  const mention = e.SMS_OPT_OUT_MENTION ?? defaultOptOutMention(map.sms);
  const problem = optOutMentionProblem(mention, smsSender, map.sms);
  if (problem)
    problems.push(
      e.SMS_OPT_OUT_MENTION === undefined
        ? `SMS_OPT_OUT_MENTION is required: its default ("${mention}") ${problem}`
        : `SMS_OPT_OUT_MENTION ${problem}`,
    );
  return mention;
}

/** What the providers' settings are read with: the environment, the channel map, the roles, and where problems go. */
interface SettingsChecks {
  e: ProviderEnv;
  map: ProviderMap;
  sender: boolean;
  api: boolean;
  require: (name: keyof ProviderEnv, when: boolean, why: string) => void;
  /** What `parse` reads from the setting, when it is set; null when it is not, or reads wrong (a problem then). */
  parsed: <T extends { ok: true }>(name: TextSetting, parse: (text: string) => T | Unparsed) => T | null;
  problems: string[];
}

/** The settings that are text as given. */
type TextSetting = {
  [K in keyof ProviderEnv]-?: ProviderEnv[K] extends string | undefined ? K : never;
}[keyof ProviderEnv];
type Unparsed = { ok: false; problem: string };

function twilioSettingsOf({ e, map, sender, api, require, parsed, problems }: SettingsChecks) {
  const why = (role: string) => `when MESSAGE_PROVIDERS names twilio and ROLES includes ${role}`;
  require('TWILIO_ACCOUNT_SID', sender, why('sender'));
  require('TWILIO_AUTH_TOKEN', sender || api, why(sender ? 'sender' : 'api'));
  require('PUBLIC_BASE_URL', sender ||
    api, `${why(sender ? 'sender' : 'api')} (Twilio's callbacks reach the service there, and are signed for that URL)`);
  require('TWILIO_FROM', sender &&
    map.sms === 'twilio', 'when MESSAGE_PROVIDERS maps sms to twilio and ROLES includes sender');
  require('TWILIO_WHATSAPP_FROM', sender &&
    map.whatsapp === 'twilio', 'when MESSAGE_PROVIDERS maps whatsapp to twilio and ROLES includes sender');
  if (e.TWILIO_ACCOUNT_SID !== undefined && !/^AC[0-9a-f]{32}$/i.test(e.TWILIO_ACCOUNT_SID))
    problems.push('TWILIO_ACCOUNT_SID must be an Account SID: AC followed by 32 hex digits');
  const from = parsed('TWILIO_FROM', parseTwilioFrom);
  const smsSender = from && map.sms === 'twilio' ? from.sender : null;
  const whatsappFrom = parsed('TWILIO_WHATSAPP_FROM', parseTwilioWhatsAppFrom);
  const settings: TwilioSettings = {
    accountSid: e.TWILIO_ACCOUNT_SID ?? '',
    authToken: e.TWILIO_AUTH_TOKEN ?? '',
    apiUrl: e.TWILIO_API_URL,
    from: from?.value ?? null,
    whatsappFrom: whatsappFrom?.value ?? null,
  };
  return { settings, smsSender };
}

function brevoSettingsOf({ e, map, sender, api, require, parsed, problems }: SettingsChecks) {
  const why = (role: string) => `when MESSAGE_PROVIDERS names brevo and ROLES includes ${role}`;
  require('BREVO_API_KEY', sender, why('sender'));
  require('BREVO_SENDER', sender, why('sender'));
  require('PUBLIC_BASE_URL', sender, `${why('sender')} (each SMS tells Brevo where to post its events)`);
  require('BREVO_WEBHOOK_SECRET', sender || api, why(sender ? 'sender' : 'api'));
  const senderProblem = e.BREVO_SENDER === undefined ? null : brevoSenderProblem(e.BREVO_SENDER);
  if (senderProblem) problems.push(`BREVO_SENDER ${senderProblem}`);
  const smsSender: SmsSender | null =
    !senderProblem && e.BREVO_SENDER !== undefined && map.sms === 'brevo'
      ? /^\d+$/.test(e.BREVO_SENDER)
        ? parseSmsSender(e.BREVO_SENDER)
        : { kind: 'alphanumeric', value: e.BREVO_SENDER }
      : null;
  const secrets = parsed('BREVO_WEBHOOK_SECRET', parseWebhookSecrets);
  const settings: BrevoSettings = {
    apiKey: e.BREVO_API_KEY ?? '',
    sender: e.BREVO_SENDER ?? '',
    apiUrl: e.BREVO_API_URL,
    webhookSecrets: secrets?.value ?? [],
  };
  return { settings, smsSender };
}
