import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_PATH, type Config } from '../config/config.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';

/**
 * The interactive console: Swagger UI, bundled in @fastify/swagger-ui (served from this server, no
 * CDN), on the OpenAPI document. A person presses Authorize, picks Basic, Bearer or the client
 * credentials flow, opens an operation and presses Try it out.
 */
export async function consolePage(app: FastifyInstance, { config }: { config: Pick<Config, 'publicUrl'> }): Promise<void> {
  await app.register(fastifySwaggerUi, {
    routePrefix: CONSOLE_PATH,
    theme: { title: 'Tessera test console' },
    uiConfig: {
      // No top bar: its box would let the page load another document.
      layout: 'BaseLayout',
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      displayRequestDuration: true,
      // Credentials stay in the page's memory, never in localStorage.
      persistAuthorization: false,
      // Only the credentials entered in the console go out, never the browser's cookies or its own
      // login; and with credentials omitted the browser keeps its login box to itself when a wrong key
      // gets 401 with a Basic challenge (Fetch standard, HTTP-network-or-cache fetch: it prompts only
      // when credentials are included), so the person sees the 401 in the console.
      requestInterceptor: (request: { credentials?: string }) => {
        request.credentials = 'omit';
        return request;
      },
    },
    // No validator badge: Swagger UI would fetch it from validator.swagger.io.
    validatorUrl: false,
    initOAuth: { scopes: [DEFAULT_SCOPE] },
    staticCSP: consoleCsp(config.publicUrl),
  });
}

/**
 * The console's own Content-Security-Policy, set on every response under /console. It differs from the
 * portal's strict one (script-src 'self'; style-src 'self') only where Swagger UI needs it to: images
 * from data: URIs (its stylesheet draws its icons so), and requests to the public URL as well as to
 * 'self' (the document's server, which a proxy may name differently from the page's origin). Its
 * scripts and styles are files of this server: no inline script, no hash, no 'unsafe-inline'.
 */
export function consoleCsp(publicUrl: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(publicUrl).origin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
