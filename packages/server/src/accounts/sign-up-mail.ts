import type { MailMessage } from '../mail/mail-message.js';

/** The mail of a verified sign-up for a free address: the one link that creates the platform. */
export function finishSignUpMail(to: string, platformName: string, link: string): MailMessage {
  return {
    to,
    subject: `Finish creating ${platformName}`,
    text: [
      `Someone, we hope you, asked to create the platform ${platformName} on Tessera with this email address.`,
      '',
      'To finish, open this link and choose your password. It works once, within one hour:',
      '',
      link,
      '',
      'If it was not you, ignore this message: nothing is created without the link.',
    ].join('\n'),
  };
}

/**
 * The mail of a verified sign-up for an address that has an account: it says so to the address's owner
 * alone, with no link that creates anything, and without the platform name the sender chose (text of a
 * stranger's choosing does not go into someone's mailbox).
 */
export function accountExistsMail(to: string, signInUrl: string): MailMessage {
  return {
    to,
    subject: 'Someone tried to create a Tessera platform with your address',
    text: [
      `Someone tried to create a Tessera platform with your address; you already have an account: sign in at ${signInUrl}`,
      '',
      'If it was not you, ignore this message: nothing was created, and your account is unchanged.',
    ].join('\n'),
  };
}
