import http from 'node:http';
import https from 'node:https';
import { principalFromHeaders, type TesseraPrincipal } from './principal.js';
import { unavailable, VerificationError } from './errors.js';

/** What Tessera's forward-auth said of a credential: let it through as this principal, or refuse it so. */
export type StatusAnswer =
  | { kind: 'allow'; principal: TesseraPrincipal }
  | { kind: 'refuse'; status: number; error: string; description: string; headers: Record<string, string | string[]> };

/** The refusals forward-auth answers (the design of issue 23): anything else is not a forward-auth answer. */
const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 429]);

/** The error code of a refusal whose body names none (a proxy's page, say). */
const DEFAULT_ERROR: Record<number, string> = { 400: 'invalid_request', 401: 'invalid_token', 403: 'access_denied', 429: 'too_many_requests' };

/** A forward-auth answer is a few hundred bytes; more is not one, and is not read into memory. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Asks Tessera's `GET /forward-auth?audience=<aud>` about one Authorization header, over kept-alive
 * connections of its own (closed by {@link close}). Any failure to get an answer — refused connection,
 * reset, timeout, 5xx, an answer that is not forward-auth's — rejects with a 503 {@link VerificationError}:
 * the caller must never take silence for an allow. Error texts name Tessera's address, never the credential.
 */
export class StatusClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(
    private readonly url: URL,
    private readonly timeoutMs: number,
  ) {
    const secure = url.protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.request = secure ? https.request : http.request;
  }

  /** `clientIp`: the address of the client whose credential it is, as X-Forwarded-For (RFC 7239 §5.2's older form). */
  ask(authorization: string | undefined, clientIp?: string): Promise<StatusAnswer> {
    return this.attempt(authorization, clientIp, false);
  }

  private attempt(authorization: string | undefined, clientIp: string | undefined, retry: boolean): Promise<StatusAnswer> {
    return new Promise<StatusAnswer>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      if (clientIp !== undefined && /^[0-9A-Fa-f:.]{2,45}$/.test(clientIp)) headers['x-forwarded-for'] = clientIp;
      let timedOut = false;
      let request: http.ClientRequest;
      try {
        request = this.request(this.url, { method: 'GET', agent: this.agent, headers });
      } catch (error) {
        // node:http refuses a header value with characters HTTP/1.1 cannot carry; its message names the header, not the value.
        reject(new VerificationError(400, 'invalid_request', 'The Authorization header holds characters that cannot be sent on', {}, { cause: error }));
        return;
      }
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy();
      }, this.timeoutMs);
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        // A kept-alive connection that Tessera closed as it was reused (its idle timeout, a restart): the
        // question never reached it, so it is asked once more on a new connection (nodejs.org/api/http.html,
        // request.reusedSocket). Anything else is an answer: unavailable.
        if (!retry && !timedOut && request.reusedSocket && isStaleConnection(error)) {
          this.attempt(authorization, clientIp, true).then(resolve, reject);
          return;
        }
        const description = timedOut
          ? `Tessera did not answer the credential check within ${this.timeoutMs} ms`
          : `Tessera could not be reached at ${this.url.origin} to check the credential (${codeOf(error)})`;
        reject(unavailable(description, error));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > MAX_BODY_BYTES) {
            clearTimeout(timer);
            response.destroy();
            reject(unavailable(`Tessera's answer to the credential check is larger than ${MAX_BODY_BYTES} bytes: ${this.url.origin} is not a Tessera forward-auth`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          try {
            resolve(this.interpret(response, Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
      });
      request.end();
    });
  }

  private interpret(response: http.IncomingMessage, body: string): StatusAnswer {
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      const principal = principalFromHeaders(response.headers);
      if ('missing' in principal) {
        throw unavailable(`Tessera's answer to the credential check has no valid ${principal.missing} header: is ${this.url.origin} a Tessera with forward-auth?`);
      }
      return { kind: 'allow', principal };
    }
    if (REFUSAL_STATUSES.has(status)) {
      const parsed = parseJson(body);
      const headers: Record<string, string | string[]> = {};
      // headersDistinct keeps each challenge its own field line (RFC 9110 §11.6.1), as Tessera sent them.
      const challenges = response.headersDistinct['www-authenticate'];
      if (challenges) headers['WWW-Authenticate'] = challenges.length === 1 ? challenges[0]! : challenges;
      const retryAfter = response.headers['retry-after'];
      if (retryAfter) headers['Retry-After'] = retryAfter;
      return {
        kind: 'refuse',
        status,
        error: typeof parsed?.error === 'string' ? parsed.error : DEFAULT_ERROR[status]!,
        description: typeof parsed?.error_description === 'string' ? parsed.error_description : '',
        headers,
      };
    }
    if (status === 404) throw unavailable(`Tessera at ${this.url.origin} has no /forward-auth (it answered 404): check the verifier's tessera URL`);
    throw unavailable(`Tessera answered ${status} to the credential check`);
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isStaleConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** A network error's code (ECONNREFUSED, ECONNRESET…): says what went wrong without quoting anything sent. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'no answer';
}
