import type { Command } from 'commander';
import { clearClientLimits, clientLimits, type ClientTokenLimits, setClientLimits } from '../credentials/client-token-limits.js';
import { type ClientView, createClient, oauthClients, resetClientQuota } from '../credentials/oauth-clients.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { OAuthClient } from '../store/oauth-clients.js';
import { type CredentialCommandSpec, registerListCommand, registerStatusCommands } from './credential-commands.js';
import { run, withJson, type Output } from './run.js';

const CLIENTS: CredentialCommandSpec<OAuthClient, ClientView> = {
  lifecycle: oauthClients,
  idArgument: 'clientId',
  idField: 'client_id',
  one: 'a client credential',
  noun: 'client credential',
  title: 'Client',
  lower: 'client',
  listField: 'clients',
  columns: ['client_id', 'name', 'status', 'created_at', 'last_token_issued_at'],
  listDescription: "list a platform's client credentials",
};

export function registerClientCommands(program: Command): void {
  const client = program.command('client').description('manage OAuth client credentials');
  withJson(client.command('create').description('create a client credential (at most two active per platform)'))
    .requiredOption('--platform <platformName>', 'the platform it belongs to')
    .option('--name <name>', 'internal name, shown in quota errors')
    .action((options: Output & { platform: string; name?: string }) =>
      run(options, async (services) => {
        const created = await createClient(services, options.platform, options.name);
        return {
          json: created,
          text: [
            `name:          ${created.name}`,
            `client_id:     ${created.client_id}`,
            `client_secret: ${created.client_secret}`,
            '',
            'Store the secret now: it is shown only this once.',
          ].join('\n'),
        };
      }),
    );
  registerListCommand(client, CLIENTS);
  registerStatusCommands(client, CLIENTS);
  withJson(client.command('reset-quota <clientId>').description('let a client get a new token now (when its token was lost)')).action(
    (clientId: string, options: Output) =>
      run(options, async (services) => {
        await resetClientQuota(services, clientId);
        return { json: { client_id: clientId, quota_reset: true }, text: `Client ${clientId} may request a new token now` };
      }),
  );
  registerLimitsCommand(client);
}

/**
 * `--per-hour`/`--per-day` as given: `none` (no limit in that window; kept as the word, since commander
 * turns a parser's null into ''), whole numbers, else NaN, which the domain refuses with its rule.
 */
function tokens(value: string): number | 'none' {
  if (value === 'none') return 'none';
  return /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
}

const limitOf = (value: number | 'none' | undefined): number | null | undefined => (value === 'none' ? null : value);

interface LimitsOptions extends Output {
  perHour?: number | 'none';
  perDay?: number | 'none';
  observe?: boolean;
  enforce?: boolean;
  clear?: boolean;
}

/**
 * `tessera client limits <client_id>`: the client's token limits per hour and per day (issue 22) — shown
 * alone, set with the numbers and a mode, or cleared back to the default (TESSERA_CLIENT_TOKENS_PER_HOUR, …).
 * A change is audited (`client_limits_changed`, actor `cli`) and reaches running instances at once (Redis,
 * or SQLite) or within 5 seconds.
 */
function registerLimitsCommand(client: Command): void {
  withJson(
    client
      .command('limits <clientId>')
      .description("show a client's token limits per hour and per day, set its own, or clear them back to the default"),
  )
    .option('--per-hour <tokens>', 'tokens the client may have per UTC hour (1 to 1000000000, or none)', tokens)
    .option('--per-day <tokens>', 'tokens the client may have per UTC day (1 to 1000000000, or none)', tokens)
    .option('--enforce', 'refuse tokens past a limit with 429 (the default)')
    .option('--observe', 'issue tokens past a limit, and record that it would have refused them')
    .option('--clear', "remove the client's own limits: the default ones apply again")
    .action((clientId: string, options: LimitsOptions) =>
      run(options, async (services) => {
        const setting = options.perHour !== undefined || options.perDay !== undefined || options.observe || options.enforce;
        let limits: ClientTokenLimits;
        if (options.clear) {
          if (setting) throw new TesseraError('invalid_input', '--clear takes no other option: clear the limits, or set them');
          limits = await clearClientLimits(services, clientId);
        } else if (setting) {
          if (options.observe && options.enforce) throw new TesseraError('invalid_input', 'Give --observe or --enforce, not both');
          if (options.perHour === undefined && options.perDay === undefined) {
            throw new TesseraError('invalid_input', 'Give --per-hour or --per-day (a number of tokens, or none) with the mode');
          }
          limits = await setClientLimits(services, clientId, { per_hour: limitOf(options.perHour), per_day: limitOf(options.perDay), mode: options.observe ? 'observe' : 'enforce' });
        } else {
          limits = await clientLimits(services, clientId);
        }
        const whose = limits.source === 'client' ? 'its own' : 'the default (TESSERA_CLIENT_TOKENS_PER_HOUR, TESSERA_CLIENT_TOKENS_PER_DAY)';
        return {
          json: { client_id: clientId, ...limits },
          text: [
            `Client ${clientId}: ${whose}`,
            `per hour: ${limits.per_hour ?? 'none'}`,
            `per day:  ${limits.per_day ?? 'none'}`,
            `mode:     ${limits.mode}`,
          ].join('\n'),
        };
      }),
    );
}
