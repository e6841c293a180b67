import type { Command } from 'commander';
import { createApiKey, deleteApiKey, listApiKeys, revealApiKey, setApiKeyStatus } from '../credentials/api-keys.js';
import { run, table, withJson, type Output } from './run.js';

export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('manage RaaS API keys (HTTP Basic: platformName:apiKey)');
  withJson(apikey.command('create').description('create an API key (at most two active per platform)'))
    .requiredOption('--platform <platformName>', 'the platform it belongs to')
    .action((options: Output & { platform: string }) =>
      run(options, async (services) => {
        const created = await createApiKey(services, options.platform);
        return {
          json: created,
          text: [
            `id:      ${created.id}`,
            `api_key: ${created.api_key}`,
            '',
            `Use it as HTTP Basic credentials: ${options.platform}:<api_key>. Reveal it again with: tessera apikey reveal ${created.id}`,
          ].join('\n'),
        };
      }),
    );
  withJson(apikey.command('list').description("list a platform's API keys (without the keys)"))
    .requiredOption('--platform <platformName>', 'the platform')
    .action((options: Output & { platform: string }) =>
      run(options, async (services) => {
        const keys = await listApiKeys(services, options.platform);
        return { json: { platformName: options.platform, api_keys: keys }, text: table(keys, ['id', 'status', 'created_at', 'status_changed_at']) };
      }),
    );
  withJson(apikey.command('reveal <id>').description('show an API key again')).action((id: string, options: Output) =>
    run(options, async (services) => {
      const revealed = await revealApiKey(services, id);
      return { json: revealed, text: revealed.api_key };
    }),
  );
  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    withJson(apikey.command(`${verb} <id>`).description(`${verb} an API key`)).action((id: string, options: Output) =>
      run(options, async (services) => {
        const view = await setApiKeyStatus(services, id, status);
        return { json: { ...view }, text: `API key ${view.id} is ${view.status}` };
      }),
    );
  }
  withJson(apikey.command('delete <id>').description('delete a deactivated API key')).action((id: string, options: Output) =>
    run(options, async (services) => {
      await deleteApiKey(services, id);
      return { json: { id, deleted: true }, text: `Deleted API key ${id}` };
    }),
  );
}
