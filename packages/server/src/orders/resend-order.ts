import { auditEntry, type AuditActor, type AuditDeps } from '../audit/record-audit.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { OrderResendRow, OrderStore } from '../store/orders.js';

export interface ResendOrderDeps extends AuditDeps {
  orders: Pick<OrderStore, 'find' | 'resend'>;
}

/**
 * Sends an order's reward email again (Tango's POST /orders/{referenceOrderID}/resends): to `newEmail`, else
 * to the order's recipient. The one path of the RaaS route and the portal's Resend button: numbered on the
 * platform and recorded as `resend_order` with the caller (a credential, or a portal user) in one transaction.
 * Another platform's order is `not_found`, like a missing one. The sandbox sends no mail.
 */
export async function resendOrder(
  deps: ResendOrderDeps,
  who: AuditActor,
  resend: { platformId: string; referenceOrderId: string; newEmail?: string | undefined },
): Promise<OrderResendRow> {
  const { platformId, referenceOrderId } = resend;
  const order = await deps.orders.find(platformId, referenceOrderId);
  if (!order) throw new TesseraError('not_found', `Order ${referenceOrderId} was not found`);
  const recipient = JSON.parse(order.recipient) as { email?: string };
  const email = resend.newEmail ?? recipient.email;
  if (email === undefined) throw new TesseraError('invalid_input', `Order ${referenceOrderId} has no recipient email: give a newEmail to resend it to`);
  return deps.orders.resend(platformId, referenceOrderId, email, deps.now(), auditEntry(deps, who, { action: 'resend_order', targetId: referenceOrderId }));
}
