import { TesseraError } from '../errors/tessera-error.js';
import type { CustomerStore } from '../store/customers.js';
import type { EmailTemplateChanges, EmailTemplateRow, EmailTemplateStore } from '../store/email-templates.js';
import { seqOf } from './etid.js';
import { headerImageUrl } from './header-image.js';

/** Whom a template is for (accessControl) or the default of (defaults), as Tango's criteria name them. */
export type TemplateScopeType = 'PLATFORM' | 'CUSTOMER' | 'ACCOUNT';
export interface TemplateScope {
  type: TemplateScopeType;
  /** The platform's name (or nothing) for PLATFORM; the customerIdentifier or accountIdentifier otherwise. */
  identifier?: string;
}

/** A template's fields as Tango's CreateEmailTemplateCriteria carries them (checked by the request schema). */
export interface EmailTemplateFields {
  name: string;
  fromName: string;
  subject: string;
  /** Base64 of a PNG, JPEG or GIF image, or '' for none. */
  headerImage: string;
  headerImageAltText: string;
  accentColor: string;
  messageBody: string;
  closing: string;
  /** Absent or '': Tango's own customer-service text. */
  customerServiceMessage?: string;
  accessControl?: TemplateScope[];
  defaults?: TemplateScope[];
}

/** What the template lifecycle uses: its store, the customers and accounts scopes name, the clock. */
export interface EmailTemplateDeps {
  emailTemplates: EmailTemplateStore;
  customers: CustomerStore;
  now: () => number;
}

/** The calling platform: its id scopes every query, its name is what a PLATFORM scope names. */
export interface PlatformRef {
  platformId: string;
  platformName: string;
}

/** Creates a template; its etid is the platform's next (etid.ts). A live template of the same name is a `conflict`. */
export async function createEmailTemplate(deps: EmailTemplateDeps, platform: PlatformRef, fields: EmailTemplateFields): Promise<EmailTemplateRow> {
  const now = deps.now();
  return deps.emailTemplates.insert({
    platform_id: platform.platformId,
    name: fields.name,
    from_name: fields.fromName,
    subject: fields.subject,
    header_image: headerImageUrl(fields.headerImage),
    header_image_alt_text: fields.headerImageAltText,
    accent_color: fields.accentColor,
    message_body: fields.messageBody,
    closing: fields.closing,
    customer_service_message: fields.customerServiceMessage || null,
    access_controls: JSON.stringify(await checkScopes(deps, platform, 'accessControl', fields.accessControl ?? [])),
    defaults: JSON.stringify(await checkScopes(deps, platform, 'defaults', fields.defaults ?? [])),
    created_at: now,
    updated_at: now,
  });
}

/**
 * The platform's live template `etid`, or `not_found`: what orders (the etid of CreateOrderCriteria) and
 * the routes use. Another platform's template, a deleted one and a malformed etid are all not found.
 */
export async function findEmailTemplate(deps: Pick<EmailTemplateDeps, 'emailTemplates'>, platformId: string, etid: string): Promise<EmailTemplateRow> {
  const seq = seqOf(etid);
  const row = seq === undefined ? undefined : await deps.emailTemplates.find(platformId, seq);
  if (!row) throw notFound(etid);
  return row;
}

/** Changes the fields given, and only those; '' clears the customerServiceMessage. */
export async function updateEmailTemplate(
  deps: EmailTemplateDeps,
  platform: PlatformRef,
  etid: string,
  fields: Partial<EmailTemplateFields>,
): Promise<EmailTemplateRow> {
  const current = await findEmailTemplate(deps, platform.platformId, etid);
  const changes: EmailTemplateChanges = { updated_at: deps.now() };
  if (fields.name !== undefined) changes.name = fields.name;
  if (fields.fromName !== undefined) changes.from_name = fields.fromName;
  if (fields.subject !== undefined) changes.subject = fields.subject;
  if (fields.headerImage !== undefined) changes.header_image = headerImageUrl(fields.headerImage);
  if (fields.headerImageAltText !== undefined) changes.header_image_alt_text = fields.headerImageAltText;
  if (fields.accentColor !== undefined) changes.accent_color = fields.accentColor;
  if (fields.messageBody !== undefined) changes.message_body = fields.messageBody;
  if (fields.closing !== undefined) changes.closing = fields.closing;
  if (fields.customerServiceMessage !== undefined) changes.customer_service_message = fields.customerServiceMessage || null;
  if (fields.accessControl !== undefined) changes.access_controls = JSON.stringify(await checkScopes(deps, platform, 'accessControl', fields.accessControl));
  if (fields.defaults !== undefined) changes.defaults = JSON.stringify(await checkScopes(deps, platform, 'defaults', fields.defaults));
  const updated = await deps.emailTemplates.update(platform.platformId, current.seq, changes);
  // Deleted between the read and the write.
  if (!updated) throw notFound(etid);
  return updated;
}

/** Deletes a template: its etid stays taken, and names nothing from now on. */
export async function deleteEmailTemplate(deps: EmailTemplateDeps, platformId: string, etid: string): Promise<void> {
  const seq = seqOf(etid);
  if (seq === undefined || !(await deps.emailTemplates.delete(platformId, seq, deps.now()))) throw notFound(etid);
}

/** A template's accessControls or defaults, as stored by {@link createEmailTemplate}. */
export function templateScopes(row: EmailTemplateRow, which: 'access_controls' | 'defaults'): Required<TemplateScope>[] {
  return JSON.parse(row[which]) as Required<TemplateScope>[];
}

function notFound(etid: string): TesseraError {
  return new TesseraError('not_found', `Email template ${etid} was not found`);
}

/**
 * Each scope names something of the platform (another platform's customer is not found, as anywhere
 * else): PLATFORM the platform itself (its name, or nothing), CUSTOMER and ACCOUNT one of its customers
 * or accounts. Stored with the platform's name filled in, each once.
 */
async function checkScopes(deps: EmailTemplateDeps, platform: PlatformRef, field: string, scopes: TemplateScope[]): Promise<Required<TemplateScope>[]> {
  const checked: Required<TemplateScope>[] = [];
  for (const [index, scope] of scopes.entries()) {
    const identifier = scope.identifier ?? '';
    if (scope.type === 'PLATFORM') {
      if (identifier !== '' && identifier !== platform.platformName) throw new TesseraError('not_found', `Platform ${identifier} was not found`);
    } else if (identifier === '') {
      const names = scope.type === 'CUSTOMER' ? 'customerIdentifier' : 'accountIdentifier';
      throw new TesseraError('invalid_input', `${field}[${index}] is of type ${scope.type}: its identifier must be the ${names}`);
    } else if (scope.type === 'CUSTOMER' && !(await deps.customers.findCustomer(platform.platformId, identifier))) {
      throw new TesseraError('not_found', `Customer ${identifier} was not found`);
    } else if (scope.type === 'ACCOUNT' && !(await deps.customers.findAccount(platform.platformId, identifier))) {
      throw new TesseraError('not_found', `Account ${identifier} was not found`);
    }
    const entry = { type: scope.type, identifier: scope.type === 'PLATFORM' ? platform.platformName : identifier };
    if (!checked.some((c) => c.type === entry.type && c.identifier === entry.identifier)) checked.push(entry);
  }
  return checked;
}
