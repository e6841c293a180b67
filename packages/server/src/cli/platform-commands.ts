import type { Command } from 'commander';
import { createPlatform, listPlatforms } from '../credentials/platforms.js';
import { run, table, withJson, type Output } from './run.js';

export function registerPlatformCommands(program: Command): void {
  const platform = program.command('platform').description('manage platforms (tenants)');
  withJson(platform.command('create <platformName>').description('create a platform')).action((name: string, options: Output) =>
    run(options, async (services) => {
      const created = await createPlatform(services, name);
      return { json: { platformName: created.name }, text: `Created platform ${created.name}` };
    }),
  );
  withJson(platform.command('list').description('list the platforms')).action((options: Output) =>
    run(options, async (services) => {
      const platforms = await listPlatforms(services);
      return { json: { platforms }, text: table(platforms, ['platformName', 'created_at']) };
    }),
  );
}
