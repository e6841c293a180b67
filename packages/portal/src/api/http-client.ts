import { ApiError, networkError } from './api-error';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpClientOptions = { fetch?: FetchLike };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// The API refuses unsafe methods without the session's CSRF token (docs/portal-api.md, "Sessions").
const UNSAFE = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one fetch wrapper of the portal: same-origin cookies, JSON in and out, the CSRF header on
 * unsafe methods, `{error, message}` mapped to `ApiError`.
 */
export class HttpClient {
  private csrfToken: string | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly unauthenticatedListeners = new Set<() => void>();

  constructor(options: HttpClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** `listener` runs whenever the API answers 401 `unauthenticated` (the session is gone). */
  onUnauthenticated(listener: () => void): () => void {
    this.unauthenticatedListeners.add(listener);
    return () => this.unauthenticatedListeners.delete(listener);
  }

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (UNSAFE.has(method) && this.csrfToken !== null) headers['x-csrf-token'] = this.csrfToken;
    const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);

    let response: Response;
    try {
      response = await this.fetchImpl(path, init);
    } catch {
      throw networkError();
    }
    if (response.ok) {
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    }
    const error = await toApiError(response);
    if (error.status === 401 && error.code === 'unauthenticated') {
      this.csrfToken = null;
      for (const listener of [...this.unauthenticatedListeners]) listener();
    }
    throw error;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status}. Try again.`;
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string' && body.message !== '') message = body.message;
  } catch {
    // Not JSON (a proxy's error page): keep the generic message.
  }
  return new ApiError(response.status, code, message, Number.isNaN(retryAfter) ? null : retryAfter);
}
