import { Type, type Static, type TObject } from 'typebox';
import { etidOf, ETID_PATTERN } from '../email-templates/etid.js';
import { templateScopes } from '../email-templates/email-templates.js';
import type { EmailTemplateRow } from '../store/email-templates.js';
import * as example from './examples.js';
import { PageView } from './page-view.js';

/**
 * Tango's email template criteria and views (CreateEmailTemplateCriteria, UpdateEmailTemplateCriteria,
 * EmailTemplateViewVerbose, EmailTemplateListView), with the same field names — `accessControl` in the
 * criteria, `accessControls` in the view, as Tango spells them.
 *
 * The text goes into an email: the subject and the names into its header lines, where a line break would
 * start a header of the sender's choosing (RFC 5322 §2.2), so they are one line without control
 * characters; the message parts may break lines (tab, CR, LF) but hold no other control character.
 * Each has a length limit, and neither admits NUL or unpaired surrogates (see views.ts).
 */
export const ONE_LINE_PATTERN = '^(?:[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
export const MULTI_LINE_PATTERN = '^(?:[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
/** Six hexadecimal digits after a pound sign, as the reference describes accentColor. */
const COLOR_PATTERN = '^#[0-9A-Fa-f]{6}$';
/**
 * Base64 (RFC 4648 §4, padded) of a PNG, JPEG or GIF, recognised by its first bytes (email-templates/
 * header-image.ts), or empty for no image. Linear: fixed-size groups, so no backtracking blow-up.
 */
const IMAGE_PATTERN = '^(?:(?=iVBORw0KGgo|/9j/|R0lGOD)(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?$';
/** The characters of a customer or account identifier (views.ts) or a platform name (credentials/platforms.ts); empty for PLATFORM. */
const SCOPE_IDENTIFIER_PATTERN = '^[A-Za-z0-9._-]*$';

/** What each pattern means, for the field errors of a request that breaks it (raas/error-handler.ts). */
export const EMAIL_TEMPLATE_PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [ONE_LINE_PATTERN]: 'must be one line, without control characters',
  [MULTI_LINE_PATTERN]: 'must not contain control characters other than tabs and line breaks',
  [COLOR_PATTERN]: 'must be a hex color: # and six hexadecimal digits, e.g. #1A73E8',
  [IMAGE_PATTERN]: 'must be a Base64-encoded PNG, JPEG or GIF image, or empty for none',
  [ETID_PATTERN]: 'must be an Email Template Identifier: E and six digits, e.g. E000001',
  [SCOPE_IDENTIFIER_PATTERN]: 'must use only letters, digits, ".", "_" and "-"',
};

/** Longest text of each field, in characters. The image is also bound by the body limit (TESSERA_BODY_LIMIT). */
const TEMPLATE_LIMITS = {
  name: 100,
  fromName: 100,
  subject: 200,
  headerImage: 65_536,
  headerImageAltText: 200,
  messageBody: 5_000,
  closing: 1_000,
  customerServiceMessage: 1_000,
} as const;
/** Most entries in accessControl or defaults. */
const MAX_SCOPES = 100;

const oneLine = (limit: number, minLength: number) => ({ minLength, maxLength: limit, pattern: ONE_LINE_PATTERN });
const multiLine = (limit: number, minLength: number) => ({ minLength, maxLength: limit, pattern: MULTI_LINE_PATTERN });

const TemplateScope = (description: string) =>
  Type.Object(
    {
      type: Type.Enum(['PLATFORM', 'CUSTOMER', 'ACCOUNT'], { description: 'PLATFORM, CUSTOMER or ACCOUNT' }),
      identifier: Type.Optional(
        Type.String({
          maxLength: 100,
          pattern: SCOPE_IDENTIFIER_PATTERN,
          description: 'The customerIdentifier or accountIdentifier; for PLATFORM, the platform name or nothing',
        }),
      ),
    },
    { description },
  );
const ACCESS_CONTROL = 'Which customers or accounts may use the template (none: the whole platform)';
const DEFAULTS = 'The platform, customers or accounts whose orders use this template when they name no etid';

/** Each field with its rule, made afresh for each criteria (each gives its fields their own examples). */
function fields() {
  const L = TEMPLATE_LIMITS;
  return {
    name: Type.String({ ...oneLine(L.name, 1), description: 'A unique name to give the template' }),
    fromName: Type.String({ ...oneLine(L.fromName, 1), description: 'The name in the From line of the email' }),
    subject: Type.String({ ...oneLine(L.subject, 1), description: 'The Subject of the email' }),
    headerImage: Type.String({ maxLength: L.headerImage, pattern: IMAGE_PATTERN, description: 'A Base64-encoded PNG, JPEG or GIF shown as the header of the email; empty for none' }),
    headerImageAltText: Type.String({ ...oneLine(L.headerImageAltText, 0), description: 'The Alt Text of the header image' }),
    accentColor: Type.String({ pattern: COLOR_PATTERN, description: 'A hex color, # and six hexadecimal digits, used as an accent in the email' }),
    messageBody: Type.String({ ...multiLine(L.messageBody, 1), description: 'Why the recipient receives the reward' }),
    closing: Type.String({ ...multiLine(L.closing, 1), description: 'After the reward credential, a space to close the message' }),
    customerServiceMessage: Type.Optional(
      Type.String({ ...multiLine(L.customerServiceMessage, 0), description: "Your customer support's contact; left out or empty: Tango Card's" }),
    ),
    accessControl: Type.Optional(Type.Array(TemplateScope(ACCESS_CONTROL), { maxItems: MAX_SCOPES, description: ACCESS_CONTROL })),
    defaults: Type.Optional(Type.Array(TemplateScope(DEFAULTS), { maxItems: MAX_SCOPES, description: DEFAULTS })),
  };
}

/** The console fills each field of its form from the field's own example ('' leaves it out: see openapi.test.ts). */
function withExamples<T extends TObject>(schema: T, value: Record<string, unknown>, id: string): T {
  for (const [name, property] of Object.entries(schema.properties)) Object.assign(property, { examples: [value[name] ?? ''] });
  return Object.assign(schema, { $id: id, examples: [value] });
}

export const CreateEmailTemplateCriteria = withExamples(Type.Object(fields()), example.CREATE_EMAIL_TEMPLATE, 'CreateEmailTemplateCriteria');
export type CreateEmailTemplateCriteria = Static<typeof CreateEmailTemplateCriteria>;
/** Every field optional: a PATCH changes what it names ('' for customerServiceMessage brings back Tango's). */
export const UpdateEmailTemplateCriteria = withExamples(Type.Partial(Type.Object(fields())), example.UPDATE_EMAIL_TEMPLATE, 'UpdateEmailTemplateCriteria');
export type UpdateEmailTemplateCriteria = Static<typeof UpdateEmailTemplateCriteria>;

const ScopeView = Type.Object({ type: Type.String(), identifier: Type.String() });

export const EmailTemplateViewVerbose = Type.Object(
  {
    etid: Type.String({ description: 'Email Template Identifier (ETID)' }),
    name: Type.String(),
    fromName: Type.String(),
    subject: Type.String(),
    headerImage: Type.String({ description: 'Header Image Url: a data: URL of the image, or empty' }),
    headerImageAltText: Type.String(),
    accentColor: Type.String(),
    messageBody: Type.String(),
    closing: Type.String(),
    customerServiceMessage: Type.Optional(Type.String({ description: "Left out when the email carries Tango Card's" })),
    accessControls: Type.Array(ScopeView),
    defaults: Type.Array(ScopeView),
  },
  { $id: 'EmailTemplateViewVerbose', examples: [example.EMAIL_TEMPLATE_VIEW] },
);
export type EmailTemplateViewVerbose = Static<typeof EmailTemplateViewVerbose>;

export const EmailTemplateListView = Type.Object(
  {
    emailTemplates: Type.Array(EmailTemplateViewVerbose, { description: 'Email Template elements for the current page' }),
    page: PageView,
  },
  { $id: 'EmailTemplateListView', examples: [example.EMAIL_TEMPLATE_LIST_VIEW] },
);
export type EmailTemplateListView = Static<typeof EmailTemplateListView>;

/** A malformed etid can never exist (400), as the path identifiers of views.ts. */
export const EtidParams = Type.Object({
  etid: Type.String({
    pattern: ETID_PATTERN,
    description: 'Email Template Identifier (ETID) is returned in the email template response payload',
    examples: [example.ETID],
  }),
});

export function emailTemplateView(row: EmailTemplateRow): EmailTemplateViewVerbose {
  return {
    etid: etidOf(row.seq),
    name: row.name,
    fromName: row.from_name,
    subject: row.subject,
    headerImage: row.header_image,
    headerImageAltText: row.header_image_alt_text,
    accentColor: row.accent_color,
    messageBody: row.message_body,
    closing: row.closing,
    ...(row.customer_service_message === null ? {} : { customerServiceMessage: row.customer_service_message }),
    accessControls: templateScopes(row, 'access_controls'),
    defaults: templateScopes(row, 'defaults'),
  };
}
