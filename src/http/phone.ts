// A phone in a request (a body's field, a path's parameter), as every route reads it.
import { ValidationError } from '../domain/errors.js';
import { toE164 } from '../domain/phone.js';

/** The phone of a request in E.164, or a 400 naming `field`. */
export function phoneOf(raw: string, field: string): string {
  const phone = toE164(raw);
  if (!phone) throw new ValidationError(field, 'is not a valid phone number (e.g. "06 12 34 56 78" or "+33612345678")');
  return phone;
}
