import type { Command } from 'commander';
import { addAudience, listAudiences, removeAudience } from '../credentials/audiences.js';
import { run, table, withJson, type Output } from './run.js';

/**
 * `--ttl` as given: whole seconds, else NaN, which the domain refuses with its rule (so that `--json`
 * prints the refusal as one JSON object, as for every other error).
 */
function seconds(value: string): number {
  return /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * The audiences tokens may be issued for (credentials/audiences.ts): the default one (TESSERA_AUDIENCE,
 * TESSERA_TOKEN_TTL) and those registered here, each with the lifetime of its tokens. Stored in the
 * store, so every instance sees them; running instances learn of a change at once (Redis, or SQLite) or
 * within 5 seconds.
 */
export function registerAudienceCommands(program: Command): void {
  const audience = program.command('audience').description('manage the audiences tokens may be issued for, each with its token lifetime');
  withJson(audience.command('add <url>').description('register an audience (an absolute http(s) URI, RFC 8707 §2) and the lifetime of its tokens'))
    .requiredOption('--ttl <seconds>', 'lifetime of its tokens in seconds, 60 to 31536000', seconds)
    .option('--update', 'change the TTL of an audience already registered (tokens already issued keep theirs)')
    .action((url: string, options: Output & { ttl: number; update?: boolean }) =>
      run(options, async (services) => {
        const added = await addAudience(services, url, options.ttl, { update: options.update === true });
        return { json: { ...added }, text: `Audience ${added.audience}: tokens live ${added.ttl_seconds} seconds` };
      }),
    );
  withJson(audience.command('list').description('list the audiences: the default one first, then the registered ones')).action((options: Output) =>
    run(options, async (services) => {
      const audiences = await listAudiences(services);
      const rows = audiences.map((a) => ({ ...a, default: a.default ? 'yes' : '', created_at: a.created_at ?? '(TESSERA_AUDIENCE)' }));
      return { json: { audiences }, text: table(rows, ['audience', 'ttl_seconds', 'default', 'created_at']) };
    }),
  );
  withJson(audience.command('remove <url>').description('remove a registered audience: no new tokens for it (issued ones live out their TTL)')).action(
    (url: string, options: Output) =>
      run(options, async (services) => {
        await removeAudience(services, url);
        return { json: { audience: url, removed: true }, text: `Removed audience ${url}` };
      }),
  );
}
