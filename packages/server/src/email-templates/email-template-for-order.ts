import { TesseraError } from '../errors/tessera-error.js';
import type { EmailTemplateRow } from '../store/email-templates.js';
import { type EmailTemplateDeps, findEmailTemplate, type PlatformRef, type TemplateScope, templateScopes } from './email-templates.js';

/** The customer and account an order is placed for, and the etid it names, if any. */
export interface OrderParty {
  customerIdentifier: string;
  accountIdentifier: string;
  etid?: string;
}

/**
 * The template an order's reward email uses (CreateOrderCriteria's etid: "Only applicable if sendEmail
 * is true"), for orders to call:
 * - an etid names one of the platform's live templates (else `not_found`, Tango's 404), which must be
 *   open to the order's account (accessControls: none means the whole platform; else `invalid_input`);
 * - without one, the template the account is the default of, else its customer's, else the platform's
 *   (Tango's `defaults`), the newest where several are; undefined when none is: Tango's own email.
 */
export async function emailTemplateForOrder(
  deps: Pick<EmailTemplateDeps, 'emailTemplates'>,
  platform: PlatformRef,
  order: OrderParty,
): Promise<EmailTemplateRow | undefined> {
  if (order.etid !== undefined) {
    const template = await findEmailTemplate(deps, platform.platformId, order.etid);
    if (!opensTo(templateScopes(template, 'access_controls'), order)) {
      throw new TesseraError('invalid_input', `Email template ${order.etid} is not available to account ${order.accountIdentifier}`);
    }
    return template;
  }
  // Each template's scopes are parsed once for this load, not once per kind of default looked for.
  const templates = (await deps.emailTemplates.listAll(platform.platformId))
    .filter((row) => opensTo(templateScopes(row, 'access_controls'), order))
    .map((row) => ({ row, defaults: templateScopes(row, 'defaults') }))
    .reverse();
  for (const wanted of [
    (s: TemplateScope) => s.type === 'ACCOUNT' && s.identifier === order.accountIdentifier,
    (s: TemplateScope) => s.type === 'CUSTOMER' && s.identifier === order.customerIdentifier,
    (s: TemplateScope) => s.type === 'PLATFORM',
  ]) {
    const found = templates.find((t) => t.defaults.some(wanted));
    if (found) return found.row;
  }
  return undefined;
}

/** No access control opens a template to the whole platform; otherwise one entry must name the order's party. */
function opensTo(scopes: TemplateScope[], order: OrderParty): boolean {
  return (
    scopes.length === 0 ||
    scopes.some(
      (s) => s.type === 'PLATFORM' || (s.type === 'CUSTOMER' && s.identifier === order.customerIdentifier) || (s.type === 'ACCOUNT' && s.identifier === order.accountIdentifier),
    )
  );
}
