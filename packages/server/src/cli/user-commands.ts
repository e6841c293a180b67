import { type Command, InvalidArgumentError } from 'commander';
import { normaliseEmail } from '../accounts/emails.js';
import { invitationLink, type InvitationView, inviteUser, listInvitations, withdrawInvitation } from '../accounts/invitations.js';
import { findPlatformUser, listUsers, removeUser } from '../accounts/users.js';
import { CLI_ACTOR } from '../audit/record-audit.js';
import { getPlatform } from '../credentials/platforms.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import type { UserRole } from '../store/schema.js';
import { ServerSettingStore } from '../store/server-settings.js';
import type { Services } from '../services.js';
import { run, table, withJson, type Output } from './run.js';

function role(value: string): UserRole {
  if (value !== 'admin' && value !== 'member') throw new InvalidArgumentError('use admin or member');
  return value;
}

function publicUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidArgumentError('use the URL people open the portal on, e.g. https://auth.example.com');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidArgumentError('use an http:// or https:// URL');
  return value.replace(/\/+$/, '');
}

/**
 * Where the link points: the URL given, else the one the server running on this store recorded when it
 * started (store/server-settings.ts), else this command's own TESSERA_PUBLIC_URL (or http://HOST:PORT).
 * The command usually runs in another terminal than the server, without its PORT or public URL: a link
 * on the command's default port would lead the person to nothing.
 */
async function linkBase(services: Services, given: string | undefined): Promise<string> {
  return given ?? (await new ServerSettingStore(services.database.db).publicUrl()) ?? services.config.publicUrl;
}

/** A pending invitation of the platform by id or email; `not_found`, worded as for a user, otherwise. */
async function findPendingInvitation(services: Services, platformId: string, idOrEmail: string): Promise<InvitationView> {
  const email = idOrEmail.includes('@') ? normaliseEmail(idOrEmail) : undefined;
  const invitation = (await listInvitations(services, platformId)).find((i) => i.id === idOrEmail || i.email === email);
  if (!invitation) throw new TesseraError('not_found', `User ${idOrEmail} does not exist`);
  return invitation;
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
    .option('--public-url <url>', "the portal's URL for the link (default: the one the server on this store started with)", publicUrl)
    .action((options: Output & { platform: string; email: string; role: UserRole; publicUrl?: string }) =>
      run(options, async (services) => {
        const platform = await getPlatform(services, options.platform);
        const base = await linkBase(services, options.publicUrl);
        const { invitation, token } = await inviteUser(services, platform.id, { email: options.email, role: options.role }, CLI_ACTOR);
        const link = invitationLink(base, token);
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
  withJson(
    user
      .command('remove <user>')
      .description('remove a user (by id or email) and end their sessions, or withdraw a pending invitation (by id or email); never the last admin'),
  )
    .requiredOption('--platform <platformName>', 'the platform')
    .action((who: string, options: Output & { platform: string }) =>
      run(options, async (services) => {
        const platform = await getPlatform(services, options.platform);
        const found = await findPlatformUser(services, platform.id, who).catch((error: unknown) => {
          if (hasCode(error, 'not_found')) return undefined;
          throw error;
        });
        if (!found) {
          // Someone invited who has not joined yet is removed by withdrawing the invitation: its link stops working.
          const invitation = await findPendingInvitation(services, platform.id, who);
          await withdrawInvitation(services, platform.id, invitation.id);
          return {
            json: { id: invitation.id, email: invitation.email, withdrawn: true },
            text: `Withdrew the invitation of ${invitation.email} (${invitation.id}) to ${platform.name}`,
          };
        }
        await removeUser(services, platform.id, found.id, CLI_ACTOR);
        return { json: { id: found.id, email: found.email, removed: true }, text: `Removed ${found.email} (${found.id}) from ${platform.name}` };
      }),
    );
}
