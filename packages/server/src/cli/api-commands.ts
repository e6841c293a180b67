import type { Command } from 'commander';
import { addApi, type ApiChange, type ApiView, listApis, removeApi } from '../credentials/protected-apis.js';
import { TesseraError } from '../errors/tessera-error.js';
import { run, table, withJson, type Output } from './run.js';

/** `--ttl` as given: whole seconds, else NaN, which the domain refuses with its rule (one JSON error with --json). */
function seconds(value: string): number {
  return /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
}

/** `--platform` may be given again: each adds one. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface AddOptions extends Output {
  ttl?: number;
  host?: string;
  anyHost?: boolean;
  pathPrefix?: string;
  platform?: string[];
  everyPlatform?: boolean;
  kinds?: string;
  update?: boolean;
}

/** The options as a change: what is not given is left out (the default on a new API, kept on --update). */
function changeOf(options: AddOptions): ApiChange {
  if (options.host !== undefined && options.anyHost) throw new TesseraError('invalid_input', 'Give --host or --any-host, not both');
  if (options.platform !== undefined && options.everyPlatform) throw new TesseraError('invalid_input', 'Give --platform or --every-platform, not both');
  const change: ApiChange = {};
  if (options.ttl !== undefined) change.ttlSeconds = options.ttl;
  if (options.host !== undefined) change.host = options.host;
  if (options.anyHost) change.host = null;
  if (options.pathPrefix !== undefined) change.pathPrefix = options.pathPrefix;
  if (options.platform !== undefined) change.platforms = options.platform;
  if (options.everyPlatform) change.platforms = null;
  if (options.kinds !== undefined) change.credentialKinds = options.kinds.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  return change;
}

/** An API for a person: one setting a line. */
function describe(api: ApiView): string {
  return [
    `API ${api.audience}: tokens live ${api.ttl_seconds} seconds`,
    `host:             ${api.host ?? 'any'}`,
    `path prefix:      ${api.path_prefix}`,
    `platforms:        ${api.platforms?.join(', ') ?? 'every platform'}`,
    `credential kinds: ${api.credential_kinds?.join(', ') ?? 'oauth_client, api_key'}`,
  ].join('\n');
}

/**
 * `tessera api add|list|remove`: the protected APIs /forward-auth serves (credentials/protected-apis.ts),
 * each a registered audience with where it answers and who may call it. Stored in the store, so every
 * instance sees them; running instances learn of a change at once (Redis, or SQLite) or within 5 seconds.
 */
export function registerApiCommands(program: Command): void {
  const api = program.command('api').description('manage the protected APIs that /forward-auth serves: an audience, where it answers, who may call it');
  withJson(
    api
      .command('add <audience>')
      .description('register a protected API under its audience (the `aud` of its tokens; a registered audience becomes an API), or change one with --update'),
  )
    .option('--ttl <seconds>', 'lifetime of its tokens in seconds, 60 to 31536000 (default: TESSERA_TOKEN_TTL for a new audience; kept otherwise)', seconds)
    .option('--host <host>', 'the Host it answers on, hostname[:port] (a host name without a port answers on any port; default: any host)')
    .option('--any-host', 'answer on any host (with --update: forget the --host given before)')
    .option('--path-prefix <prefix>', "the path prefix it answers under, on a segment boundary: /v1 matches /v1 and /v1/x, not /v1x (default: '/')")
    .option('--platform <name>', 'a platform that may call it; repeat for more (default: every platform)', collect)
    .option('--every-platform', 'let every platform call it (with --update: forget the --platform given before)')
    .option('--kinds <kinds>', 'the credential kinds that may call it: oauth_client, api_key, or both comma-separated (default: both)')
    .option('--update', 'change an API already registered: the options given replace its settings, the others stay')
    .action((audience: string, options: AddOptions) =>
      run(options, async (services) => {
        const added = await addApi(services, audience, changeOf(options), { update: options.update === true });
        return { json: { ...added }, text: describe(added) };
      }),
    );
  withJson(api.command('list').description('list the protected APIs by audience')).action((options: Output) =>
    run(options, async (services) => {
      const apis = await listApis(services);
      const rows = apis.map((a) => ({
        audience: a.audience,
        host: a.host ?? '(any)',
        path_prefix: a.path_prefix,
        platforms: a.platforms?.join(',') ?? '(every)',
        credential_kinds: a.credential_kinds?.join(',') ?? '(both)',
        ttl_seconds: a.ttl_seconds,
      }));
      return { json: { apis }, text: table(rows, ['audience', 'host', 'path_prefix', 'platforms', 'credential_kinds', 'ttl_seconds']) };
    }),
  );
  withJson(
    api.command('remove <audience>').description('remove a protected API and its audience: no new tokens for it, and /forward-auth refuses its requests at once'),
  ).action((audience: string, options: Output) =>
    run(options, async (services) => {
      await removeApi(services, audience);
      return { json: { audience, removed: true }, text: `Removed API ${audience}` };
    }),
  );
}
