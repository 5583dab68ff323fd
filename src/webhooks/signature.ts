// Standard Webhooks signatures (https://www.standardwebhooks.com/), made by the specification's own
// package: `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`
// with the endpoint's `whsec_` secret. During a rotation the previous secret signs too: both
// signatures go in the header, space-separated, as the specification allows, so a receiver that still
// has the old secret, or already the new one, verifies the message.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes in base64 (the specification asks for 24 to 64). */
export const newWebhookSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The headers of one attempt: signed now (the receiver compares the timestamp with its own clock). */
export function signWebhook(input: { id: string; body: string; secrets: readonly string[]; at: Date }): SignedHeaders {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.at, input.body));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(input.at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
