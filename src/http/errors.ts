// One error taxonomy, mapped to HTTP in one place (app.ts).
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (field: string, message: string) => new AppError(400, 'validation_failed', `${field} ${message}`, { field });
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const unauthorized = () => new AppError(401, 'unauthorized', 'unauthorized');
