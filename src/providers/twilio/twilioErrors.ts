// What Twilio's answers to a message request mean for the message (Twilio's error dictionary:
// https://www.twilio.com/docs/api/errors). Pure: status, body and Retry-After come in.
import type { SendOutcome } from '../provider.js';
import { jsonObject, parseRetryAfter } from '../httpCall.js';

/** The recipient replied STOP to this sender: Twilio refuses every message to them until START. */
export const UNSUBSCRIBED_RECIPIENT = 21610;
/** Not a number that can receive messages: an invalid To, or a landline. */
const NOT_REACHABLE = new Set([21211, 21614]);
const TOO_MANY_REQUESTS = 20429;
/** Authentication failures: our settings are wrong, not the message; it waits for them to be fixed. */
const CREDENTIALS = new Set([20003, 20005]);

export function classifyTwilioAnswer(
  status: number,
  body: string,
  retryAfter: string | null,
  now: Date,
): Exclude<SendOutcome, { kind: 'sent' }> {
  const json = jsonObject(body);
  const code = typeof json.code === 'number' ? json.code : Number.NaN;
  const message = typeof json.message === 'string' ? json.message : body.slice(0, 200);
  const detail = `twilio ${Number.isNaN(code) ? `HTTP ${status}` : code}: ${message}`;
  if (code === UNSUBSCRIBED_RECIPIENT) return { kind: 'opted_out', detail };
  if (NOT_REACHABLE.has(code)) return { kind: 'permanent', reason: 'not_mobile', detail };
  if (status === 429 || code === TOO_MANY_REQUESTS)
    return { kind: 'retry', reason: detail, retryAfterMs: parseRetryAfter(retryAfter, now), uncertain: false };
  if (status === 401 || CREDENTIALS.has(code))
    return {
      kind: 'retry',
      reason: `${detail} (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)`,
      retryAfterMs: null,
      uncertain: false,
    };
  // A 5xx may come from a proxy after Twilio took the message: the next attempt looks it up first.
  if (status >= 500)
    return { kind: 'retry', reason: detail, retryAfterMs: parseRetryAfter(retryAfter, now), uncertain: true };
  return { kind: 'permanent', reason: detail };
}
