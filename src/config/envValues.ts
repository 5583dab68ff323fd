// The kinds of value an environment variable holds, read the same way for the service's variables
// (src/config.ts) and the providers' (src/config/providerSettings.ts); the message of each names what
// was expected.
import { z } from 'zod';

const wholeNumber = (digits: RegExp, min: number, max: number) =>
  z.string().trim().regex(digits, 'must be an integer').transform(Number).pipe(z.number().int().min(min).max(max));

/** A whole number within [min, max]; `def` when the variable is unset. */
export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  wholeNumber(/^-?\d+$/, min, max).prefault(String(def));

/** A whole number within [min, max], digits only (no sign); undefined when the variable is unset. */
export const optionalInt = (min: number, max: number) => wholeNumber(/^\d+$/, min, max).optional();

export const optionalText = z.string().trim().min(1).optional();

/** An http(s) URL, without trailing slashes; `example` shows one in the message. */
export const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .url(`must be a URL such as ${example}`)
    .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
    .transform((u) => u.replace(/\/+$/, ''));

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "500ms", "5s", "30m", "2h", "5d" in milliseconds (a bare number is seconds); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS] : undefined;
}

/** One duration ("5d"), in milliseconds; `def` when the variable is unset. */
export const duration = (def: string) =>
  z
    .string()
    .trim()
    .prefault(def)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms !== undefined && ms > 0) return ms;
      ctx.addIssue({
        code: 'custom',
        message: 'must be a duration such as 500ms, 5s, 30m, 2h or 5d (a bare number is seconds)',
      });
      return z.NEVER;
    });

/** A comma-separated list of durations ("5s,5m,30m"), in milliseconds; `def` when the variable is unset. */
export const durations = (def: string) =>
  z
    .string()
    .trim()
    .prefault(def)
    .transform((s, ctx) => {
      const list = s.split(',').map((x) => parseDuration(x));
      if (list.length > 0 && list.length <= 50 && list.every((ms) => ms !== undefined && ms > 0))
        return list as number[];
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a comma-separated list of durations such as 5s,5m,30m,2h (units ms, s, m, h, d; a bare number is seconds)',
      });
      return z.NEVER;
    });
