#!/usr/bin/env node
// tessera-token: print a valid access token from the shared store, fetching one only when needed.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FileTokenStore, RedisTokenStore, TokenError, TokenManager, tangoPresets } from '../dist/index.js';

const USAGE = `Usage: tessera-token [options]

Prints a valid OAuth access token for a client, from the shared token store; asks the token
endpoint only when the stored token is missing, expired or inside the 4-hour refresh window.

Options (environment variable in brackets):
  --token-url URL        token endpoint, e.g. http://127.0.0.1:8080/oauth/token [TESSERA_TOKEN_URL]
  --tango ENV            use Tango's documented settings: sandbox | production [TESSERA_TANGO_ENV]
  --client-id ID         [TESSERA_CLIENT_ID]
  --client-secret SECRET prefer the environment: arguments are visible in ps [TESSERA_CLIENT_SECRET]
  --audience AUDIENCE    omitted: the server default, sharing its stored token [TESSERA_AUDIENCE]
  --scope SCOPE          default raas.all [TESSERA_SCOPE]
  --redis URL            share the token through Redis [TESSERA_REDIS_URL]
  --key-prefix PREFIX    Redis key prefix, default tessera: [TESSERA_REDIS_KEY_PREFIX]
  --file PATH            share the token through a file (mode 0600) [TESSERA_TOKEN_FILE]
                         default: $XDG_CACHE_HOME/tessera/tokens.json (~/.cache/tessera/tokens.json)
  --retry-now            forget the server's quota refusal (fleet-wide, in the store) and ask now:
                         after \`tessera client reset-quota <client_id>\`; without it a refusal is
                         re-checked every 15 minutes
  --json                 print {"access_token","token_type","expires_in","expires_at","scope"}
  -h, --help             show this help
  -v, --version          show the version

Exit status: 0 token printed, 1 no token (the error says why), 2 bad usage.`;

function fail(message, code, json, status, extra = {}) {
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, ...extra } })}\n`);
  else process.stderr.write(`tessera-token: ${message}${status === 2 ? '\nTry tessera-token --help.' : ''}\n`);
  process.exitCode = status;
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'token-url': { type: 'string' },
        tango: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        audience: { type: 'string' },
        scope: { type: 'string' },
        redis: { type: 'string' },
        'key-prefix': { type: 'string' },
        file: { type: 'string' },
        'retry-now': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail(err.message, 'invalid_argument', process.argv.includes('--json'), 2);
  }
  const json = values.json;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return;
  }

  const env = process.env;
  const tangoEnv = values.tango ?? env.TESSERA_TANGO_ENV;
  let preset = {};
  if (tangoEnv !== undefined) {
    preset = tangoPresets[tangoEnv];
    if (!preset || !Object.hasOwn(tangoPresets, tangoEnv)) return fail(`--tango must be sandbox or production, not "${tangoEnv}"`, 'invalid_argument', json, 2);
  }
  const tokenUrl = values['token-url'] ?? env.TESSERA_TOKEN_URL ?? preset.tokenUrl;
  const clientId = values['client-id'] ?? env.TESSERA_CLIENT_ID;
  const clientSecret = values['client-secret'] ?? env.TESSERA_CLIENT_SECRET;
  const audience = values.audience ?? env.TESSERA_AUDIENCE ?? preset.audience;
  const scope = values.scope ?? env.TESSERA_SCOPE ?? preset.scope;
  const redisUrl = values.redis ?? env.TESSERA_REDIS_URL;
  const file = values.file ?? env.TESSERA_TOKEN_FILE;

  if (!tokenUrl) return fail('a token URL is required (--token-url, TESSERA_TOKEN_URL or --tango)', 'invalid_argument', json, 2);
  if (!clientId) return fail('a client id is required (--client-id or TESSERA_CLIENT_ID)', 'invalid_argument', json, 2);
  if (!clientSecret) return fail('a client secret is required (TESSERA_CLIENT_SECRET)', 'invalid_argument', json, 2);
  if (values['client-secret'] !== undefined) {
    process.stderr.write('tessera-token: warning: --client-secret is visible to other users in ps; set TESSERA_CLIENT_SECRET instead\n');
  }
  if (values.redis !== undefined && values.file !== undefined) return fail('use --redis or --file, not both', 'invalid_argument', json, 2);

  let store;
  let tokens;
  try {
    if (redisUrl && values.file === undefined) {
      store = new RedisTokenStore({ url: redisUrl }, { keyPrefix: values['key-prefix'] ?? env.TESSERA_REDIS_KEY_PREFIX });
    } else {
      store = new FileTokenStore(file ? { path: file } : {});
    }
    tokens = new TokenManager({
      tokenUrl,
      clientId,
      clientSecret,
      ...(audience ? { audience } : {}),
      ...(scope ? { scope } : {}),
      store,
      logger: { warn: (message) => process.stderr.write(`tessera-token: warning: ${message}\n`) },
    });
    if (values['retry-now']) await tokens.clearRefusal();
    const info = await tokens.getTokenInfo();
    if (json) {
      const output = {
        access_token: info.accessToken,
        token_type: info.tokenType,
        expires_in: Math.max(0, Math.floor((info.expiresAt - Date.now()) / 1000)),
        expires_at: new Date(info.expiresAt).toISOString(),
        scope: info.scope,
      };
      process.stdout.write(`${JSON.stringify(output)}\n`);
    } else {
      process.stdout.write(`${info.accessToken}\n`);
    }
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    const extra = typeof err.retryAt === 'number' ? { retry_at: new Date(err.retryAt).toISOString() } : {};
    const status = err.code === 'invalid_argument' ? 2 : 1;
    if (json) fail(err.message, err.code, true, status, extra);
    else fail(`${err.message}${extra.retry_at ? ` (next token at ${extra.retry_at})` : ''} [${err.code}]`, err.code, false, status);
  } finally {
    await tokens?.close();
    await store?.close?.();
  }
}

await main();
