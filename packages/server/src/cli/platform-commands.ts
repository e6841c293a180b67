import type { Command } from 'commander';
import { createPlatform } from '../credentials/platforms.js';
import { run, withJson, type Output } from './run.js';

export function registerPlatformCommands(program: Command): void {
  const platform = program.command('platform').description('manage platforms (tenants)');
  withJson(platform.command('create <platformName>').description('create a platform')).action((name: string, options: Output) =>
    run(options, async (services) => {
      const created = await createPlatform(services, name);
      return { json: { platformName: created.name }, text: `Created platform ${created.name}` };
    }),
  );
}
