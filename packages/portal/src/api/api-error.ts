/**
 * Every failure the portal API reports, as the `{error, message}` body it sends (docs/portal-api.md).
 * `code` is the API's `error`; `message` is written for a person and is shown as it is.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from `Retry-After` on a 429. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** The request never got an answer (offline, server down): status 0. */
export const networkError = (): ApiError =>
  new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');

export const isApiError = (error: unknown, code?: string): error is ApiError =>
  error instanceof ApiError && (code === undefined || error.code === code);

/** A message for a person, whatever was thrown. */
export const errorMessage = (error: unknown): string =>
  error instanceof ApiError ? error.message : 'Something went wrong. Try again.';
