import { type Command, InvalidArgumentError } from 'commander';
import { invitationLink, inviteUser, listInvitations } from '../accounts/invitations.js';
import { findPlatformUser, listUsers, removeUser } from '../accounts/users.js';
import { CLI_ACTOR } from '../audit/record-audit.js';
import { getPlatform } from '../credentials/platforms.js';
import type { UserRole } from '../store/schema.js';
import { run, table, withJson, type Output } from './run.js';

function role(value: string): UserRole {
  if (value !== 'admin' && value !== 'member') throw new InvalidArgumentError('use admin or member');
  return value;
}

/**
 * Portal users. `create` makes an invitation and prints its one-time link rather than taking a
 * password: a command's arguments are visible to every user of the machine (`ps`), and the person
 * chooses their own password when they open the link.
 */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description("manage a platform's portal users (invitations, list, removal)");
  withJson(user.command('create').description('invite a user: prints a one-time link where they choose their password'))
    .requiredOption('--platform <platformName>', 'the platform they join')
    .requiredOption('--email <email>', 'their email, their sign-in name')
    .requiredOption('--role <role>', 'admin (changes credentials and users) or member (reads)', role)
    .action((options: Output & { platform: string; email: string; role: UserRole }) =>
      run(options, async (services) => {
        const platform = await getPlatform(services, options.platform);
        const { invitation, token } = await inviteUser(services, platform.id, { email: options.email, role: options.role }, CLI_ACTOR);
        const link = invitationLink(services.config.publicUrl, token);
        return {
          json: { invitation, link },
          text: [
            `Invited ${invitation.email} to ${platform.name} as ${invitation.role} (until ${invitation.expires_at}).`,
            'Send them this link; it works once and is not shown again:',
            link,
          ].join('\n'),
        };
      }),
    );
  withJson(user.command('list').description("list a platform's users and pending invitations"))
    .requiredOption('--platform <platformName>', 'the platform')
    .action((options: Output & { platform: string }) =>
      run(options, async (services) => {
        const platform = await getPlatform(services, options.platform);
        const [users, invitations] = await Promise.all([listUsers(services, platform.id), listInvitations(services, platform.id)]);
        const text = [table(users, ['id', 'email', 'role', 'created_at'])];
        if (invitations.length > 0) text.push('', 'Pending invitations:', table(invitations, ['id', 'email', 'role', 'expires_at']));
        return { json: { platformName: platform.name, users, invitations }, text: text.join('\n') };
      }),
    );
  withJson(user.command('remove <user>').description('remove a user (by id or email) and end their sessions; never the last admin'))
    .requiredOption('--platform <platformName>', 'the platform')
    .action((who: string, options: Output & { platform: string }) =>
      run(options, async (services) => {
        const platform = await getPlatform(services, options.platform);
        const found = await findPlatformUser(services, platform.id, who);
        await removeUser(services, platform.id, found.id, CLI_ACTOR);
        return { json: { id: found.id, email: found.email, removed: true }, text: `Removed ${found.email} (${found.id}) from ${platform.name}` };
      }),
    );
}
