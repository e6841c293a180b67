#!/usr/bin/env node
// tessera-token: print a valid access token from the shared store, fetching one only when needed.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FileTokenStore, RedisTokenStore, TokenError, TokenManager, tangoPresets } from '../dist/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The same argument parser as the server's `tessera` command. Commander prints the help and the
// version itself; its errors are turned into ours (exit status 2, the JSON error shape with --json).
const program = new Command('tessera-token')
  .description(
    'Prints a valid OAuth access token for a client, from the shared token store; asks the token endpoint ' +
      'only when the stored token is missing, expired or inside the 4-hour refresh window. ' +
      'Environment variables in brackets.',
  )
  .option('--token-url <url>', 'token endpoint, e.g. http://127.0.0.1:8080/oauth/token [TESSERA_TOKEN_URL]')
  .option('--tango <env>', "use Tango's documented settings: sandbox | production [TESSERA_TANGO_ENV]")
  .option('--client-id <id>', '[TESSERA_CLIENT_ID]')
  .option('--client-secret <secret>', 'prefer the environment: arguments are visible in ps [TESSERA_CLIENT_SECRET]')
  .option('--audience <audience>', 'omitted: the server default, sharing its stored token [TESSERA_AUDIENCE]')
  .option('--scope <scope>', 'default raas.all [TESSERA_SCOPE]')
  .option('--redis <url>', 'share the token through Redis [TESSERA_REDIS_URL]')
  .option('--key-prefix <prefix>', 'Redis key prefix, default tessera: [TESSERA_REDIS_KEY_PREFIX]')
  .option(
    '--file <path>',
    'share the token through a file (mode 0600) [TESSERA_TOKEN_FILE]\ndefault: $XDG_CACHE_HOME/tessera/tokens.json (~/.cache/tessera/tokens.json)',
  )
  .option(
    '--retry-now',
    "forget the server's quota refusal (fleet-wide, in the store) and ask now: after `tessera client reset-quota <client_id>`; without it a refusal is re-checked every 15 minutes",
  )
  .option('--json', 'print {"access_token","token_type","expires_in","expires_at","scope"}')
  .helpOption('-h, --help', 'show this help')
  .version(pkg.version, '-v, --version', 'show the version')
  .addHelpText('after', '\nExit status: 0 token printed, 1 no token (the error says why), 2 bad usage.')
  .allowExcessArguments(false)
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

function fail(message, code, json, status, extra = {}) {
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, ...extra } })}\n`);
  else process.stderr.write(`tessera-token: ${message}${status === 2 ? '\nTry tessera-token --help.' : ''}\n`);
  process.exitCode = status;
}

async function main() {
  let values;
  try {
    values = program.parse(process.argv).opts();
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version: already printed.
    if (err.exitCode === 0) return;
    return fail(err.message.replace(/^error: /, ''), 'invalid_argument', process.argv.includes('--json'), 2);
  }
  const json = values.json === true;

  const env = process.env;
  const tangoEnv = values.tango ?? env.TESSERA_TANGO_ENV;
  let preset = {};
  if (tangoEnv !== undefined) {
    preset = tangoPresets[tangoEnv];
    if (!preset || !Object.hasOwn(tangoPresets, tangoEnv)) return fail(`--tango must be sandbox or production, not "${tangoEnv}"`, 'invalid_argument', json, 2);
  }
  const tokenUrl = values.tokenUrl ?? env.TESSERA_TOKEN_URL ?? preset.tokenUrl;
  const clientId = values.clientId ?? env.TESSERA_CLIENT_ID;
  const clientSecret = values.clientSecret ?? env.TESSERA_CLIENT_SECRET;
  const audience = values.audience ?? env.TESSERA_AUDIENCE ?? preset.audience;
  const scope = values.scope ?? env.TESSERA_SCOPE ?? preset.scope;
  const redisUrl = values.redis ?? env.TESSERA_REDIS_URL;
  const file = values.file ?? env.TESSERA_TOKEN_FILE;

  if (!tokenUrl) return fail('a token URL is required (--token-url, TESSERA_TOKEN_URL or --tango)', 'invalid_argument', json, 2);
  if (!clientId) return fail('a client id is required (--client-id or TESSERA_CLIENT_ID)', 'invalid_argument', json, 2);
  if (!clientSecret) return fail('a client secret is required (TESSERA_CLIENT_SECRET)', 'invalid_argument', json, 2);
  if (values.clientSecret !== undefined) {
    process.stderr.write('tessera-token: warning: --client-secret is visible to other users in ps; set TESSERA_CLIENT_SECRET instead\n');
  }
  if (values.redis !== undefined && values.file !== undefined) return fail('use --redis or --file, not both', 'invalid_argument', json, 2);

  let store;
  let tokens;
  try {
    if (redisUrl && values.file === undefined) {
      store = new RedisTokenStore({ url: redisUrl }, { keyPrefix: values.keyPrefix ?? env.TESSERA_REDIS_KEY_PREFIX });
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
    if (values.retryNow) await tokens.clearRefusal();
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
