import type { Command } from 'commander';
import { run, table, withJson, type Output } from './run.js';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage the JWT signing keys');
  withJson(keys.command('rotate').description('create a new signing key; the old one stays published for a token lifetime')).action(
    (options: Output) =>
      run(options, async (services) => {
        const { kid, signFrom } = await services.signingKeys.rotate();
        const sign_from = new Date(signFrom).toISOString();
        return { json: { kid, sign_from }, text: `New signing key ${kid} signs from ${sign_from}` };
      }),
  );
  withJson(keys.command('list').description('list the published signing keys')).action((options: Output) =>
    run(options, async (services) => {
      const published = services.signingKeys.jwks().keys.map((k) => ({ kid: k.kid, alg: k.alg }));
      return { json: { keys: published }, text: table(published, ['kid', 'alg']) };
    }),
  );
}
