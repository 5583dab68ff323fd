// Twilio's settings (TWILIO_* and PUBLIC_BASE_URL, read by src/config.ts).
/**
 * Who a message comes from: `from` is an E.164 number, a short code or an alphanumeric sender ID
 * (sent as From; for WhatsApp the number without its whatsapp: prefix), or a Messaging Service (sent
 * as MessagingServiceSid: Twilio picks the sender from its pool).
 */
export type TwilioSender = { from: string } | { messagingServiceSid: string };

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
