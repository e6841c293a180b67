import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerApiCommands } from './api-commands.js';
import { registerApiKeyCommands } from './api-key-commands.js';
import { registerAuditCommands } from './audit-commands.js';
import { registerAudienceCommands } from './audience-commands.js';
import { registerClientCommands } from './client-commands.js';
import { registerKeyCommands } from './key-commands.js';
import { registerMailCommands } from './mail-commands.js';
import { registerPlatformCommands } from './platform-commands.js';
import { registerUserCommands } from './user-commands.js';
import { withYoungGenerationHeld } from '../runtime/start-up-heap.js';

/** The `tessera` command: `serve`, and credential management against the server's own store. */
export function buildCli(): Command {
  // By the package's own name, so that it resolves the same from src/, dist/ and the bundle.
  const { version } = createRequire(import.meta.url)('@tessera/server/package.json') as { version: string };
  const program = new Command('tessera')
    .description('Tessera: OAuth 2.0 client credentials and API keys in the Tango RaaS model')
    .version(version, '-v, --version')
    .exitOverride();
  program
    .command('serve')
    .description('start the server (configuration from the environment; see the README)')
    // Loaded only for `serve`: the HTTP stack is most of the start-up time of every other command.
    .action(() => withYoungGenerationHeld(async () => (await import('../main.js')).serve()));
  registerPlatformCommands(program);
  registerClientCommands(program);
  registerKeyCommands(program);
  registerApiKeyCommands(program);
  registerAuditCommands(program);
  registerUserCommands(program);
  registerMailCommands(program);
  registerAudienceCommands(program);
  registerApiCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
