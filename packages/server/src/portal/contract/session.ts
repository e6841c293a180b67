import { type Static, Type } from 'typebox';
import { EMAIL, INSTANT, NEW_PASSWORD, PASSWORD, ROLE, TEXT } from './fields.js';

/** The signed-in person, their platform, and the CSRF token every unsafe request carries (docs/portal-api.md). */
export const Session = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), role: ROLE }),
  platform: Type.Object({ name: Type.String() }),
  csrfToken: Type.String(),
  authenticatedAt: INSTANT,
  /** The earlier of the idle and the absolute timeout. */
  expiresAt: INSTANT,
});
export type Session = Static<typeof Session>;
export type Role = Session['user']['role'];

/** How this server signs people up (TESSERA_PORTAL_SIGNUP): a mailed link, at once, or not at all. */
export const SignUpMode = Type.Union([Type.Literal('verified'), Type.Literal('open'), Type.Literal('closed')]);
export type SignUpMode = Static<typeof SignUpMode>;
export const SignUpModeView = Type.Object({ mode: SignUpMode });
export type SignUpModeView = Static<typeof SignUpModeView>;

/**
 * The platform name's rules are the domain's (credentials/platforms.ts), which says them in full. The
 * password: required when open; when verified it is chosen on the mailed link's page, by whoever reads
 * the mail, so one sent here is ignored.
 */
export const SignUpBody = Type.Object(
  { email: EMAIL, password: Type.Optional(NEW_PASSWORD), platformName: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type SignUpBody = Static<typeof SignUpBody>;

/** A verified sign-up's answer, the same whatever the address: `outbox` when the server has no SMTP server and keeps its mail in a folder. */
export const SignUpRequested = Type.Object({ status: Type.Literal('link_sent'), expiresIn: Type.Integer(), outbox: Type.Boolean() });
export type SignUpRequested = Static<typeof SignUpRequested>;

/** A one-time link's token (a sign-up's or an invitation's), in a body, never a URL. */
export const LinkBody = Type.Object({ token: TEXT(200) }, { additionalProperties: false });
export type LinkBody = Static<typeof LinkBody>;
/** A one-time link's token and the password its holder chooses. */
export const LinkPasswordBody = Type.Object({ token: TEXT(200), password: NEW_PASSWORD }, { additionalProperties: false });
export type LinkPasswordBody = Static<typeof LinkPasswordBody>;

/** What a sign-up link creates, shown on its page before the person chooses a password. */
export const SignUpPreview = Type.Object({ platform: Type.String(), email: Type.String() });
export type SignUpPreview = Static<typeof SignUpPreview>;

export const SignInBody = Type.Object({ email: EMAIL, password: PASSWORD }, { additionalProperties: false });
export type SignInBody = Static<typeof SignInBody>;
export const ReauthBody = Type.Object({ password: PASSWORD }, { additionalProperties: false });
export type ReauthBody = Static<typeof ReauthBody>;
