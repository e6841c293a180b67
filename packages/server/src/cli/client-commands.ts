import type { Command } from 'commander';
import { type ClientView, createClient, oauthClients, resetClientQuota } from '../credentials/oauth-clients.js';
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
}
