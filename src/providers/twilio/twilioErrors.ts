// What Twilio's answers to a message request mean for the message (Twilio's error dictionary:
// https://www.twilio.com/docs/api/errors), by the one table of src/providers/failureCodes.ts. Pure:
// status, body and Retry-After come in.
import type { SendOutcome } from '../provider.js';
import { effectOf, isKnownCode } from '../failureCodes.js';
import { jsonObject, parseRetryAfter } from '../httpCall.js';

const TOO_MANY_REQUESTS = 20429;

export function classifyTwilioAnswer(
  status: number,
  body: string,
  retryAfter: string | null,
  now: Date,
): Exclude<SendOutcome, { kind: 'sent' }> {
  const json = jsonObject(body);
  const code = typeof json.code === 'number' ? String(json.code) : null;
  const message = typeof json.message === 'string' ? json.message : body.slice(0, 200);
  const detail = `twilio ${code ?? `HTTP ${status}`}: ${message}`;
  if (status === 429 || code === String(TOO_MANY_REQUESTS))
    return { kind: 'retry', reason: detail, retryAfterMs: parseRetryAfter(retryAfter, now), uncertain: false };
  // Our credentials, whatever the body says: the deployment's problem, never the message's.
  if (status === 401)
    return {
      kind: 'held',
      scope: 'provider',
      reason: 'credentials',
      code: code ?? '20003',
      detail: `${detail} (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)`,
    };
  // A 5xx may come from a proxy after Twilio took the message: the next attempt looks it up first.
  if (status >= 500)
    return { kind: 'retry', reason: detail, retryAfterMs: parseRetryAfter(retryAfter, now), uncertain: true };
  if (code !== null && isKnownCode('twilio', code)) {
    const effect = effectOf('twilio', code);
    if (effect.effect === 'hold') return { kind: 'held', scope: effect.scope, reason: effect.reason, code, detail };
    if (effect.effect === 'later') return { kind: 'retry', reason: detail, retryAfterMs: null, uncertain: false };
    if (effect.reason === 'opted_out') return { kind: 'opted_out', detail, code };
    return { kind: 'permanent', reason: effect.reason, detail, code, smsFallback: effect.smsFallback };
  }
  return { kind: 'permanent', reason: detail, ...(code !== null ? { code } : {}) };
}
