// The peer of `npm run bench`: node-oidc-provider configured as the authorization server Tessera is —
// the client credentials grant only, JWT access tokens (RFC 9068) for one resource, 24 hours, signed with
// BENCH_ALG (RS256 or ES256) — with its default in-memory adapter, in a process of its own on PORT.
// BENCH_CLIENTS clients (default 1) are registered (./clients.js). It prints `ready` once it listens.
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';
import { peerClient } from './clients.js';

const alg = process.env.BENCH_ALG ?? 'RS256';
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const audience = 'https://api.example.com/raas/v2';
const clients = Array.from({ length: Number(process.env.BENCH_CLIENTS ?? 1) }, (_, i) => peerClient(i));

// oidc-provider needs an RS256 key whatever else it signs with (ID tokens); the EC key is there for ES256.
const keys = await Promise.all(
  ['RS256', 'ES256'].map(async (keyAlg) => ({ ...(await exportJWK((await generateKeyPair(keyAlg, { extractable: true })).privateKey)), alg: keyAlg, use: 'sig', kid: keyAlg })),
);

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({ ...client, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' })),
  jwks: { keys },
  scopes: ['raas.all'],
  ttl: { ClientCredentials: 24 * 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => audience,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: 'raas.all', audience, accessTokenTTL: 24 * 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg } } }),
    },
  },
});
// Its own warnings (development keys, in-memory adapter) are expected here and would only clutter the run.
provider.on('server_error', (_ctx, error) => console.error(error));
provider.listen(port, '127.0.0.1', () => console.log('ready'));
