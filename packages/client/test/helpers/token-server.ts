import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the scripted server received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  form: Record<string, string>;
}

/** What the scripted server answers. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Cut the connection instead of answering. */
  destroy?: boolean;
}

export type Handler = (request: SeenRequest, index: number) => Reply | Promise<Reply>;

/** Issues tok-1, tok-2, … valid for 24 hours, like Tessera and Tango. */
export const issueTokens: Handler = (_request, index) => ({
  json: { access_token: `tok-${index + 1}`, token_type: 'Bearer', expires_in: 86_400, scope: 'raas.all' },
});

/**
 * A real HTTP server on 127.0.0.1 that a test scripts: `tokenHandler` answers POST /oauth/token,
 * `apiHandler` everything else. It records every request.
 */
export class ScriptedServer {
  readonly tokenRequests: SeenRequest[] = [];
  readonly apiRequests: SeenRequest[] = [];
  tokenHandler: Handler = issueTokens;
  apiHandler: Handler = (request) => ({ json: { ok: true, authorization: request.headers.authorization ?? null } });
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<ScriptedServer> {
    const server = http.createServer();
    const scripted = new ScriptedServer(server);
    server.on('request', (req, res) => void scripted.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return scripted;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get tokenUrl(): string {
    return `${this.origin}/oauth/token`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const seen: SeenRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      form: Object.fromEntries(new URLSearchParams(body)),
    };
    const isToken = req.method === 'POST' && path === '/oauth/token';
    const list = isToken ? this.tokenRequests : this.apiRequests;
    list.push(seen);
    const reply = await (isToken ? this.tokenHandler : this.apiHandler)(seen, list.length - 1);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.destroy) {
      res.socket?.destroy();
      return;
    }
    res.statusCode = reply.status ?? 200;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.json !== undefined) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.json));
    } else {
      res.end(reply.body ?? '');
    }
  }
}
