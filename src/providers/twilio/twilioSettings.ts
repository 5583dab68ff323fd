// Twilio's settings (TWILIO_* and PUBLIC_BASE_URL, read by src/config.ts).
export type TwilioSender = { number: string } | { messagingServiceSid: string };

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** https://api.twilio.com, or a local stand-in in tests. */
  apiUrl: string;
  /** TWILIO_FROM, for sms (null when sms is not Twilio's). */
  from: TwilioSender | null;
  /** TWILIO_WHATSAPP_FROM, for whatsapp (the number without its whatsapp: prefix). */
  whatsappFrom: TwilioSender | null;
}
