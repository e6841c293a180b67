import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** One answer of the fake /forward-auth. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** What the fake forward-auth was asked: the Authorization it got and the audience query parameter. */
export interface FakeQuestion {
  authorization: string | undefined;
  audience: string | null;
  method: string;
  /** The client's address the verifier passed on (X-Forwarded-For), if any. */
  forwardedFor: string | undefined;
}

export const AUDIENCE = 'https://api.example.com/';

/** The identity headers of a token's allow, as Tessera's forward-auth sends them. */
export function tokenAllow(overrides: Record<string, string> = {}): FakeAnswer {
  return {
    status: 200,
    headers: {
      'X-Tessera-Platform': 'acme',
      'X-Tessera-Platform-Id': 'plt_1',
      'X-Tessera-Credential-Kind': 'oauth_client',
      'X-Tessera-Credential-Id': 'cli_1',
      'X-Tessera-Scope': 'raas.all orders.read',
      'X-Tessera-Audience': AUDIENCE,
      'X-Tessera-Token-Id': 'tok-1',
      'Cache-Control': 'no-store',
      ...overrides,
    },
  };
}

/** An API key's allow: no token id. */
export function keyAllow(): FakeAnswer {
  return {
    status: 200,
    headers: {
      'X-Tessera-Platform': 'acme',
      'X-Tessera-Platform-Id': 'plt_1',
      'X-Tessera-Credential-Kind': 'api_key',
      'X-Tessera-Credential-Id': 'key_1',
      'X-Tessera-Scope': 'raas.all',
      'X-Tessera-Audience': AUDIENCE,
      'Cache-Control': 'no-store',
    },
  };
}

export const BASIC_CHALLENGES = [`Bearer realm="${AUDIENCE}"`, `Basic realm="${AUDIENCE}", charset="UTF-8"`];

/** Tessera's refusal of a credential it does not know. */
export function refusal(status: number, error: string, description: string, headers: Record<string, string | string[]> = {}): FakeAnswer {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ error, error_description: description }) };
}

interface Key {
  kid: string;
  privateKey: PrivateKey;
  publicJwk: JWK;
}

/**
 * A stand-in for Tessera over real HTTP: a key set made with jose at /.well-known/jwks.json, and a
 * /forward-auth whose answers each test sets ({@link answer}). Counts what it is asked.
 */
export class FakeTessera {
  readonly questions: FakeQuestion[] = [];
  jwksFetches = 0;
  /** How /forward-auth answers; by default, refuses everything as Tessera does a credential it does not know. */
  answer: (question: FakeQuestion) => FakeAnswer | Promise<FakeAnswer> | 'hang' = () =>
    refusal(401, 'invalid_credentials', 'The platform name or API key is not valid', { 'WWW-Authenticate': BASIC_CHALLENGES });
  /** How /.well-known/jwks.json answers when set (a failure); the published keys otherwise. */
  jwksAnswer: FakeAnswer | undefined;
  /** Set: a second request on a kept-alive connection is met by closing it (an idle timeout racing the reuse). */
  dropReusedConnections = false;
  private readonly requestsOn = new WeakMap<object, number>();
  private keys: Key[] = [];
  private server: http.Server | undefined;

  url = '';

  static async start(): Promise<FakeTessera> {
    const tessera = new FakeTessera();
    await tessera.rotate();
    await tessera.listen();
    return tessera;
  }

  private async listen(port = 0): Promise<void> {
    this.server = http.createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const count = (this.requestsOn.get(request.socket) ?? 0) + 1;
    this.requestsOn.set(request.socket, count);
    if (this.dropReusedConnections && count > 1) {
      request.socket.destroy();
      return;
    }
    const url = new URL(request.url ?? '/', this.url);
    let answer: FakeAnswer | 'hang';
    if (url.pathname === '/.well-known/jwks.json') {
      this.jwksFetches++;
      answer = this.jwksAnswer ?? { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(this.jwks()) };
    } else if (url.pathname === '/forward-auth') {
      const forwardedFor = request.headers['x-forwarded-for'];
      const question = {
        authorization: request.headers.authorization,
        audience: url.searchParams.get('audience'),
        method: request.method ?? '',
        forwardedFor: Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor,
      };
      this.questions.push(question);
      answer = await this.answer(question);
    } else {
      answer = { status: 404, headers: { 'Content-Type': 'application/json' }, body: '{"error":"Not Found"}' };
    }
    if (answer === 'hang') return;
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body ?? '');
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** Publishes a new signing key (ES256), which signs the next tokens: Tessera's `tessera key rotate`. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = `key-${this.keys.length + 1}`;
    this.keys.push({ kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } });
    return kid;
  }

  /**
   * An access token as Tessera signs them (RFC 9068): typ at+jwt, every claim it carries. Overrides
   * change claims, the header, or the key (`signWith`, a key the key set does not publish).
   */
  async token(
    claims: Record<string, unknown> = {},
    options: { typ?: string; kid?: string; signWith?: PrivateKey; alg?: string } = {},
  ): Promise<string> {
    const key = this.keys.at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: this.url,
      sub: 'cli_1',
      aud: AUDIENCE,
      client_id: 'cli_1',
      iat: now,
      exp: now + 300,
      jti: 'tok-1',
      scope: 'raas.all orders.read',
      platform: 'acme',
      ...claims,
    })
      .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? key.kid, typ: options.typ ?? 'at+jwt' })
      .sign(options.signWith ?? key.privateKey);
  }

  /** How many connections are open to it (a verifier keeps its own alive until closed). */
  openConnections(): Promise<number> {
    return new Promise((resolve, reject) => this.server!.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  forwardAuthCalls(): number {
    return this.questions.length;
  }

  /** Stops answering: every connection closed, the port free (Tessera down). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
