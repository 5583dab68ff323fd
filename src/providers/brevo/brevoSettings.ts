// Brevo's settings (BREVO_* and PUBLIC_BASE_URL, read by src/config.ts).
export interface BrevoSettings {
  apiKey: string;
  /** The SMS sender: 11 letters or digits at most, or a number (BREVO_SENDER). */
  sender: string;
  /** https://api.brevo.com, or a local stand-in in tests. */
  apiUrl: string;
  /** BREVO_WEBHOOK_SECRET: the secret(s) Brevo's event posts carry; the last one is given to Brevo. */
  webhookSecrets: string[];
}
