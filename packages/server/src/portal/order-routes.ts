import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { validEmail } from '../accounts/emails.js';
import { recordAudit } from '../audit/record-audit.js';
import { TesseraError } from '../errors/tessera-error.js';
import { orderFilterOf } from '../orders/order-filter.js';
import { resendOrder } from '../orders/resend-order.js';
import { MAX_ELEMENTS_PER_BLOCK, pageOf, pageView } from '../store/paging.js';
import type { OrderWithAccount } from '../store/orders.js';
import { actorOf, sessionOf } from './access.js';
import { ACCOUNT_IDENTIFIER, OrderDetail, OrderList, REFERENCE_ORDER_ID, ResendBody, ResendView, RevealedReward, TEXT } from './contract/index.js';
import { orderDetailView, orderSummaryView, resendView, revealedRewardView } from './order-views.js';
import type { PortalDeps } from './portal-deps.js';

const WHOLE_NUMBER = Type.String({ pattern: '^[0-9]{1,9}$' });
/** GET /orders's filters as the RaaS reference names them (orders/order-filter.ts reads them), and Tango's paging. */
const ORDER_QUERY = Type.Object(
  {
    accountIdentifier: Type.Optional(ACCOUNT_IDENTIFIER),
    customerIdentifier: Type.Optional(ACCOUNT_IDENTIFIER),
    externalRefID: Type.Optional(TEXT(100)),
    startDate: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    endDate: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    page: Type.Optional(WHOLE_NUMBER),
    elementsPerBlock: Type.Optional(WHOLE_NUMBER),
  },
  { additionalProperties: false },
);

/**
 * The platform's orders, as Tango's portal shows them: every member lists them (with the RaaS GET /orders
 * filters and paging) and reads one, its reward's codes masked (portal/order-views.ts says why); an admin who
 * entered their password in the last 5 minutes reveals the codes (audited `reveal_reward`) and resends the
 * reward's email, through the same domain function as the RaaS resend (audited `resend_order`, the user as
 * the actor). Another platform's order is a 404, like a missing one.
 */
export async function orderRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = { params: Type.Object({ referenceOrderID: REFERENCE_ORDER_ID }) };

  /** The order of the session's platform, or a 404. */
  const orderOf = async (request: FastifyRequest, referenceOrderID: string): Promise<OrderWithAccount> => {
    const order = await deps.orders.find(sessionOf(request).platform.id, referenceOrderID);
    if (!order) throw new TesseraError('not_found', `Order ${referenceOrderID} was not found`);
    return order;
  };
  const itemOf = (order: OrderWithAccount) => deps.catalog.findItem(order.utid);

  api.get('/orders', { config: { access: {} }, schema: { querystring: ORDER_QUERY, response: { 200: OrderList } } }, async (request) => {
    const { page: pageNumber, elementsPerBlock, ...criteria } = request.query;
    const size = elementsPerBlock === undefined ? undefined : Number(elementsPerBlock);
    if (size !== undefined && (size < 1 || size > MAX_ELEMENTS_PER_BLOCK)) {
      throw new TesseraError('invalid_input', `The query parameter "elementsPerBlock" must be from 1 to ${MAX_ELEMENTS_PER_BLOCK}`);
    }
    const page = pageOf({ page: pageNumber === undefined ? undefined : Number(pageNumber), elementsPerBlock: size });
    const { orders, total } = await deps.orders.list(sessionOf(request).platform.id, orderFilterOf(criteria), page);
    return { orders: orders.map((order) => orderSummaryView(order, itemOf(order))), page: pageView(page, orders.length, total) };
  });

  api.get('/orders/:referenceOrderID', { config: { access: {} }, schema: { ...params, response: { 200: OrderDetail } } }, async (request) => {
    const order = await orderOf(request, request.params.referenceOrderID);
    return orderDetailView(order, itemOf(order));
  });

  api.post(
    '/orders/:referenceOrderID/reward/reveal',
    { config: { access: { admin: { what: 'reveal reward codes' }, recentAuth: true } }, schema: { ...params, response: { 200: RevealedReward } } },
    async (request) => {
      const order = await orderOf(request, request.params.referenceOrderID);
      await recordAudit(deps, actorOf(request), { platformId: order.platform_id, action: 'reveal_reward', targetId: order.reference_order_id });
      return revealedRewardView(order, itemOf(order));
    },
  );

  api.post(
    '/orders/:referenceOrderID/resends',
    {
      config: { access: { admin: { what: 'resend rewards' }, recentAuth: true } },
      schema: { ...params, body: ResendBody, response: { 201: ResendView } },
    },
    async (request, reply) => {
      const { newEmail } = request.body;
      const resend = await resendOrder(deps, actorOf(request), {
        platformId: sessionOf(request).platform.id,
        referenceOrderId: request.params.referenceOrderID,
        newEmail: newEmail === undefined ? undefined : validEmail(newEmail),
      });
      return reply.code(201).send(resendView(resend));
    },
  );
}
