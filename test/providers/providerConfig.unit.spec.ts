import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { BASE_ENV, configProblems as problems } from '../../testkit/configProblems.js';

const base = {
  ...BASE_ENV,
  ROLES: 'sender',
  MESSAGE_GATEWAY_URL: 'http://gw:8080',
  MESSAGE_GATEWAY_TOKEN: 'gw',
};
const twilio = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'tok',
  TWILIO_FROM: '+33757000001',
  TWILIO_WHATSAPP_FROM: 'whatsapp:+14155238886',
  PUBLIC_BASE_URL: 'https://hm.example.com/',
};

describe('MESSAGE_PROVIDERS and the providers’ settings', () => {
  it('sends every channel through the generic gateway by default', () => {
    expect(loadConfig(base).providers).toMatchObject({
      map: { sms: 'http', whatsapp: 'http', leboncoin: 'http' },
      twilio: null,
      brevo: null,
    });
    expect(loadConfig(base).providers.outreach).toEqual({
      optOutMention: 'Répondez STOP pour ne plus recevoir nos SMS',
      smsProvider: 'http',
      smsSender: null,
      maxSegments: 3,
      senderNameDefault: null,
    });
    expect(loadConfig(base).providers).toMatchObject({ reconcileAfterMs: 1_800_000, probeEveryMs: 300_000 });
  });

  it('maps channels to providers and reads Twilio’s settings', () => {
    const c = loadConfig({ ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio, whatsapp:twilio' });
    expect(c.providers.map).toEqual({ sms: 'twilio', whatsapp: 'twilio', leboncoin: 'http' });
    expect(c.providers.twilio).toMatchObject({
      from: { from: '+33757000001' },
      whatsappFrom: { from: '+14155238886' },
      apiUrl: 'https://api.twilio.com',
    });
    expect(c.providers.publicBaseUrl).toBe('https://hm.example.com');
    expect(
      loadConfig({ ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio', TWILIO_FROM: `MG${'b'.repeat(32)}` }).providers
        .twilio!.from,
    ).toEqual({ messagingServiceSid: `MG${'b'.repeat(32)}` });
    // What French operators carry for business SMS: a short code, or an alphanumeric sender ID.
    const short = loadConfig({ ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio', TWILIO_FROM: '36123' });
    expect(short.providers.twilio!.from).toEqual({ from: '36123' });
    expect(short.providers.outreach.smsSender).toEqual({ kind: 'shortCode', value: '36123' });
    const alpha = loadConfig({
      ...base,
      ...twilio,
      MESSAGE_PROVIDERS: 'sms:twilio',
      TWILIO_FROM: 'GarageDupon',
      SMS_OPT_OUT_MENTION: 'STOP au 36123',
    });
    expect(alpha.providers.twilio!.from).toEqual({ from: 'GarageDupon' });
  });

  it('refuses to start with an alphanumeric sender and a STOP mention nobody can use, naming SMS_OPT_OUT_MENTION', () => {
    const env = { ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio', TWILIO_FROM: 'GarageDupon' };
    expect(problems(env)).toEqual([
      expect.stringMatching(
        /^SMS_OPT_OUT_MENTION is required: its default \("Répondez STOP pour ne plus recevoir nos SMS"\) cannot work from the alphanumeric sender "GarageDupon"/,
      ),
    ]);
    expect(problems({ ...env, SMS_OPT_OUT_MENTION: 'Répondez STOP' })).toEqual([
      expect.stringMatching(/^SMS_OPT_OUT_MENTION cannot work from the alphanumeric sender "GarageDupon"/),
    ]);
    expect(problems({ ...env, SMS_OPT_OUT_MENTION: 'STOP au [STOP_CODE]' })).toEqual([
      expect.stringMatching(/^SMS_OPT_OUT_MENTION holds \[STOP_CODE\], which only Brevo replaces/),
    ]);
    expect(problems({ ...env, SMS_OPT_OUT_MENTION: 'STOP au 36123' })).toEqual([]);
  });

  it('refuses an unknown provider or channel, and a channel the provider cannot carry, naming MESSAGE_PROVIDERS', () => {
    expect(problems({ ...base, MESSAGE_PROVIDERS: 'sms:ovh' })).toEqual([
      expect.stringMatching(/^MESSAGE_PROVIDERS names an unknown provider "ovh"/),
    ]);
    expect(problems({ ...base, MESSAGE_PROVIDERS: 'fax:http' })).toEqual([
      expect.stringMatching(/^MESSAGE_PROVIDERS names an unknown channel "fax"/),
    ]);
    expect(problems({ ...base, MESSAGE_PROVIDERS: 'leboncoin:twilio' })).toEqual([
      expect.stringMatching(/^MESSAGE_PROVIDERS maps leboncoin to twilio, which carries only sms, whatsapp/),
    ]);
    expect(problems({ ...base, MESSAGE_PROVIDERS: 'sms' })).toEqual([
      expect.stringMatching(/^MESSAGE_PROVIDERS must be a comma-separated list of channel:provider/),
    ]);
  });

  it('refuses to start a provider without its settings, naming each variable', () => {
    const missing = problems({ ...base, MESSAGE_PROVIDERS: 'sms:twilio,whatsapp:twilio' });
    for (const name of [
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'PUBLIC_BASE_URL',
      'TWILIO_FROM',
      'TWILIO_WHATSAPP_FROM',
    ])
      expect(
        missing.some((p) => p.startsWith(`${name} is required`)),
        name,
      ).toBe(true);
    expect(problems({ ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio', TWILIO_FROM: 'Garage-Lyon' })).toEqual([
      expect.stringMatching(/^TWILIO_FROM must be an alphanumeric sender ID \(3 to 11 letters/),
    ]);
    expect(problems({ ...base, ...twilio, MESSAGE_PROVIDERS: 'sms:twilio', TWILIO_ACCOUNT_SID: 'nope' })).toEqual([
      expect.stringMatching(/^TWILIO_ACCOUNT_SID must be an Account SID/),
    ]);
    const brevo = problems({ ...base, MESSAGE_PROVIDERS: 'sms:brevo' });
    for (const name of ['BREVO_API_KEY', 'BREVO_SENDER', 'PUBLIC_BASE_URL', 'BREVO_WEBHOOK_SECRET'])
      expect(
        brevo.some((p) => p.startsWith(`${name} is required`)),
        name,
      ).toBe(true);
  });

  it('refuses a Brevo sender past 11 characters, and takes two webhook secrets while rotating', () => {
    const env = {
      ...base,
      MESSAGE_PROVIDERS: 'sms:brevo',
      BREVO_API_KEY: 'k',
      PUBLIC_BASE_URL: 'https://hm.example.com',
      BREVO_WEBHOOK_SECRET: 'old-secret-0000001,new-secret-0000002',
    };
    expect(problems({ ...env, BREVO_SENDER: 'GarageDupontLyon' })).toEqual([
      expect.stringMatching(/^BREVO_SENDER must be 11 letters or digits at most/),
    ]);
    const c = loadConfig({ ...env, BREVO_SENDER: 'GarageDupon' });
    expect(c.providers.brevo).toMatchObject({
      sender: 'GarageDupon',
      webhookSecrets: ['old-secret-0000001', 'new-secret-0000002'],
    });
    expect(c.providers.outreach.optOutMention).toBe('STOP au [STOP_CODE]');
    expect(c.providers.outreach.smsSender).toEqual({ kind: 'alphanumeric', value: 'GarageDupon' });
    expect(problems({ ...env, BREVO_SENDER: 'GarageDupon', SMS_OPT_OUT_MENTION: 'Répondez STOP' })).toEqual([
      expect.stringMatching(/^SMS_OPT_OUT_MENTION cannot work from the alphanumeric sender "GarageDupon"/),
    ]);
    expect(
      problems({
        ...env,
        BREVO_SENDER: 'GarageDupon',
        BREVO_WEBHOOK_SECRET: 'a-secret-000001,b-secret-000002,c-secret-000003',
      }),
    ).toEqual([expect.stringMatching(/^BREVO_WEBHOOK_SECRET must be one secret, or two/)]);
  });

  it('asks an api-only process for what it needs to verify callbacks, and not the gateway when no channel uses it', () => {
    const api = {
      DATABASE_URL: base.DATABASE_URL,
      KAFKA_BROKERS: base.KAFKA_BROKERS,
      ROLES: 'api',
      INGEST_TOKEN: 'i',
      API_TOKEN: 'a',
      CRON_SECRET: 'c',
      LOBSTR_WEBHOOK_SECRET: 'l',
    };
    const p = problems({ ...api, MESSAGE_PROVIDERS: 'sms:twilio,whatsapp:twilio,leboncoin:twilio' });
    expect(p).toEqual(expect.arrayContaining([expect.stringMatching(/^MESSAGE_PROVIDERS maps leboncoin to twilio/)]));
    const ok = problems({
      ...api,
      MESSAGE_PROVIDERS: 'sms:twilio',
      TWILIO_AUTH_TOKEN: 't',
      PUBLIC_BASE_URL: 'https://hm.example.com',
    });
    // leboncoin stays on the generic gateway, whose webhook secret the api role needs.
    expect(ok).toEqual(['MESSAGE_GATEWAY_WEBHOOK_SECRET is required when ROLES includes api']);
  });
});
