import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditEntry, type AuditDeps } from '../audit/record-audit.js';
import { credentialActorOf, principalOf } from '../auth/principal.js';
import { type Catalog, type CatalogItem, rewardAmount } from '../catalog/catalog.js';
import type { ExchangeRates } from '../catalog/exchange-rates.js';
import { decimalToNumber } from '../catalog/money.js';
import { emailTemplateForOrder } from '../email-templates/email-template-for-order.js';
import type { EmailTemplateDeps } from '../email-templates/email-templates.js';
import { etidOf } from '../email-templates/etid.js';
import { hasCode, TesseraError } from '../errors/tessera-error.js';
import { accountOfCustomer } from '../funding/account-funding.js';
import { orderFilterOf } from '../orders/order-filter.js';
import { orderFee } from '../orders/order-fee.js';
import { criteriaDigest, newReferenceOrderId } from '../orders/order-ids.js';
import { resendOrder } from '../orders/resend-order.js';
import type { CustomerStore } from '../store/customers.js';
import type { OrderRow, OrderStore } from '../store/orders.js';
import {
  CreateOrderCriteria,
  OrderListView,
  OrderParams,
  OrderQuery,
  OrderResendRequestCriteria,
  OrderViewSummary,
  OrderViewVerbose,
  orderListItemView,
  orderViewSummary,
  orderViewVerbose,
  ResendView,
  resendView,
} from './order-views.js';
import { pageOf, pageView } from './page-view.js';
import { errorResponses, GUARDED_ERRORS, tango } from './route-docs.js';

/** What the order routes use: the orders, the accounts they debit, the catalog and rates, the templates, the audit log and the clock. */
export interface OrderDeps extends EmailTemplateDeps {
  orders: OrderStore;
  customers: CustomerStore;
  catalog: Catalog;
  exchangeRates: ExchangeRates;
  auditLog: AuditDeps['auditLog'];
  now: () => number;
}

/** Tango's status of a reward that was issued: the sandbox issues at once. */
const COMPLETE = 'COMPLETE';

function orders(operationId: string, summary: string) {
  return tango('Orders', operationId, summary);
}

/** The reward's amount in the item's minor units (catalog.ts); a refusal says why, under the order's own i18n key. */
function amountOf(item: CatalogItem, amount: number): bigint {
  try {
    return rewardAmount(item, amount);
  } catch (error) {
    if (hasCode(error, 'invalid_input')) throw new TesseraError('invalid_amount', error.message);
    throw error;
  }
}

/**
 * Tango's "Orders" operations, each platform seeing only its own orders: place an order (a reward bought from
 * an account's balance), list them with Tango's filters and paging, read one, and resend its email.
 *
 * Idempotency (the reference: externalRefID "can be used for client-side order cross reference and prevent
 * accidental order duplication"): an order whose externalRefID the platform has used returns that first order
 * (201, the same body) and charges nothing, when its criteria are the same — a retry; with other criteria it is
 * refused with 409 (`error.order.duplicateExternalRefID`), since answering the first order would tell the caller
 * an order it did not ask for was placed.
 */
export async function orderRoutes(app: FastifyInstance, { services }: { services: OrderDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, exchangeRates } = services;

  const itemOf = (utid: string) => catalog.findItem(utid);
  const sameOrder = (existing: OrderRow, digest: string): OrderRow => {
    if (existing.criteria_digest !== digest) {
      throw new TesseraError('duplicate_order', `An order with the externalRefID ${existing.external_ref_id} exists already, with other criteria: use another externalRefID`);
    }
    return existing;
  };

  api.post(
    '/orders',
    {
      schema: {
        ...orders('createOrder', 'Create an Order under a specific Account.'),
        body: CreateOrderCriteria,
        response: { 201: { ...OrderViewSummary, description: "The order: the reward, and what the account's balance went down by" }, ...errorResponses(...GUARDED_ERRORS, 402, 404, 409) },
      },
    },
    async (request, reply) => {
      const { platformId } = principalOf(request);
      const body = request.body;
      const digest = criteriaDigest(body);
      if (body.externalRefID !== undefined) {
        // A retry answers before anything else is checked: the first order stands even if the balance has gone since.
        const existing = await services.orders.findByExternalRef(platformId, body.externalRefID);
        if (existing) return reply.code(201).send(orderViewSummary(sameOrder(existing, digest), itemOf(existing.utid)));
      }
      const item = itemOf(body.utid);
      if (!item) throw new TesseraError('unknown_item', `There is no reward with the utid ${body.utid} in the catalog: GET /catalogs lists them`);
      const rewardMinor = amountOf(item, body.amount);
      const account = await accountOfCustomer(services, { platformId, customerIdentifier: body.customerIdentifier, accountIdentifier: body.accountIdentifier });
      if (body.sendEmail && (!body.recipient?.email || !body.recipient.firstName)) {
        throw new TesseraError('invalid_input', "The recipient's email and firstName are required when sendEmail is true");
      }
      const template =
        body.sendEmail || body.etid !== undefined
          ? await emailTemplateForOrder(services, principalOf(request), { customerIdentifier: account.customer_identifier, accountIdentifier: account.account_identifier, etid: body.etid })
          : undefined;
      // Exact: bigint minor units along the listed rate, rounded once (catalog/money.ts).
      const charged = exchangeRates.convert(rewardMinor, item.currencyCode, account.currency_code);
      if (charged.amount <= 0n) {
        throw new TesseraError('invalid_input', `The amount ${body.amount} ${item.currencyCode} is too small to charge in ${account.currency_code}`);
      }
      // The item's fee (the catalog's CostAdjustmentEntity) comes off the balance with the value: MoneyView's total.
      const fee = orderFee(item.fee, charged.amount, (minor) => exchangeRates.convert(minor, item.currencyCode, account.currency_code).amount);
      if (charged.amount + fee > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new TesseraError('invalid_input', `The amount ${body.amount} ${item.currencyCode} is too large to charge in ${account.currency_code}`);
      }
      const now = services.now();
      const referenceOrderId = newReferenceOrderId(now);
      const row: OrderRow = {
        platform_id: platformId,
        reference_order_id: referenceOrderId,
        external_ref_id: body.externalRefID ?? null,
        criteria_digest: digest,
        customer_identifier: account.customer_identifier,
        account_identifier: account.account_identifier,
        utid: item.utid,
        reward_name: item.rewardName,
        reward_minor: Number(rewardMinor),
        reward_currency: item.currencyCode,
        charged_minor: Number(charged.amount),
        fee_minor: Number(fee),
        charged_currency: account.currency_code,
        exchange_rate: charged.rate ? String(decimalToNumber(charged.rate.baseFx)) : '1',
        send_email: body.sendEmail ? 1 : 0,
        recipient: JSON.stringify(body.recipient ?? {}),
        sender: JSON.stringify(body.sender ?? {}),
        message: body.message ?? '',
        notes: body.notes ?? '',
        email_subject: body.emailSubject ?? template?.subject ?? `You have received a reward: ${item.rewardName}`,
        campaign: body.campaign ?? '',
        etid: template ? etidOf(Number(template.seq)) : '',
        status: COMPLETE,
        created_at: now,
      };
      const placed = await services.orders.place(row, auditEntry(services, credentialActorOf(request), { action: 'place_order', targetId: referenceOrderId }));
      const order = placed.created ? placed.order : sameOrder(placed.order, digest);
      return reply.code(201).send(orderViewSummary(order, itemOf(order.utid)));
    },
  );

  api.get(
    '/orders',
    {
      schema: {
        ...orders('listOrders', 'Get a list of Orders placed under this Platform.'),
        querystring: OrderQuery,
        response: { 200: { ...OrderListView, description: "The platform's orders that match, newest first, one page of them" }, ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async (request) => {
      const { platformId } = principalOf(request);
      const page = pageOf(request.query);
      const { orders: rows, total } = await services.orders.list(platformId, orderFilterOf(request.query), page);
      return { orders: rows.map(orderListItemView), page: pageView(page, rows.length, total) };
    },
  );

  api.get(
    '/orders/:referenceOrderID',
    {
      schema: {
        ...orders('getOrder', 'Get details for a specific Order.'),
        params: OrderParams,
        response: { 200: { ...OrderViewVerbose, description: 'The order, with its reward' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => {
      const order = await services.orders.find(principalOf(request).platformId, request.params.referenceOrderID);
      if (!order) throw new TesseraError('not_found', `Order ${request.params.referenceOrderID} was not found`);
      return orderViewVerbose(order, itemOf(order.utid));
    },
  );

  api.post(
    '/orders/:referenceOrderID/resends',
    {
      schema: {
        ...orders('getOrderResends', 'Resend a specific Order.'),
        params: OrderParams,
        body: OrderResendRequestCriteria,
        response: { 201: { ...ResendView, description: 'The resend, recorded (the sandbox sends no mail)' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
      // The reference's orderResendCriteria is optional: no body at all is the empty criteria (resend to the recipient).
      preValidation: async (request: FastifyRequest) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const resend = await resendOrder(services, credentialActorOf(request), {
        platformId: principalOf(request).platformId,
        referenceOrderId: request.params.referenceOrderID,
        newEmail: request.body.newEmail,
      });
      return reply.code(201).send(resendView(resend));
    },
  );
}
