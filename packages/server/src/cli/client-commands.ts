import type { Command } from 'commander';
import { createClient, deleteClient, listClients, resetClientQuota, setClientStatus } from '../credentials/oauth-clients.js';
import { run, table, withJson, type Output } from './run.js';

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
  withJson(client.command('list').description("list a platform's client credentials"))
    .requiredOption('--platform <platformName>', 'the platform')
    .action((options: Output & { platform: string }) =>
      run(options, async (services) => {
        const clients = await listClients(services, options.platform);
        return {
          json: { platformName: options.platform, clients },
          text: table(clients, ['client_id', 'name', 'status', 'created_at', 'last_token_issued_at']),
        };
      }),
    );
  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    withJson(client.command(`${verb} <clientId>`).description(`${verb} a client credential`)).action((clientId: string, options: Output) =>
      run(options, async (services) => {
        const view = await setClientStatus(services, clientId, status);
        return { json: { ...view }, text: `Client ${view.client_id} is ${view.status}` };
      }),
    );
  }
  withJson(client.command('delete <clientId>').description('delete a deactivated client credential')).action((clientId: string, options: Output) =>
    run(options, async (services) => {
      await deleteClient(services, clientId);
      return { json: { client_id: clientId, deleted: true }, text: `Deleted client ${clientId}` };
    }),
  );
  withJson(client.command('reset-quota <clientId>').description('let a client get a new token now (when its token was lost)')).action(
    (clientId: string, options: Output) =>
      run(options, async (services) => {
        await resetClientQuota(services, clientId);
        return { json: { client_id: clientId, quota_reset: true }, text: `Client ${clientId} may request a new token now` };
      }),
  );
}
