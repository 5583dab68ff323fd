// The kinds of value an environment variable holds, read the same way for the service's variables
// (src/config.ts) and the providers' (src/config/providerSettings.ts); the message of each names what
// was expected.
import { z } from 'zod';

/** A whole number within [min, max]; `def` when the variable is unset. */
export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .prefault(String(def));

export const optionalText = z.string().trim().min(1).optional();

/** An http(s) URL, without trailing slashes; `example` shows one in the message. */
export const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .url(`must be a URL such as ${example}`)
    .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
    .transform((u) => u.replace(/\/+$/, ''));
