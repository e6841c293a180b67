import type { Command } from 'commander';
import { type ApiKeyView, apiKeys, createApiKey, revealApiKey } from '../credentials/api-keys.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import { type CredentialCommandSpec, registerListCommand, registerStatusCommands } from './credential-commands.js';
import { run, withJson, type Output } from './run.js';

const API_KEYS: CredentialCommandSpec<ApiKeyRow, ApiKeyView> = {
  lifecycle: apiKeys,
  idArgument: 'id',
  idField: 'id',
  one: 'an API key',
  noun: 'API key',
  title: 'API key',
  lower: 'API key',
  listField: 'api_keys',
  columns: ['id', 'status', 'created_at', 'status_changed_at', 'last_used_at'],
  listDescription: "list a platform's API keys (without the keys)",
};

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
  registerListCommand(apikey, API_KEYS);
  withJson(apikey.command('reveal <id>').description('show an API key again')).action((id: string, options: Output) =>
    run(options, async (services) => {
      const revealed = await revealApiKey(services, id);
      return { json: revealed, text: revealed.api_key };
    }),
  );
  registerStatusCommands(apikey, API_KEYS);
}
