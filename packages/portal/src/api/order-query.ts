/** The RaaS GET /orders filters, as the page keeps them; dates are RFC 3339 dates (a whole day) or date-times. */
export type OrderFilters = {
  accountIdentifier?: string;
  customerIdentifier?: string;
  externalRefID?: string;
  startDate?: string;
  endDate?: string;
};

/** The RaaS GET /orders filters, in the order the query string names them. */
export const ORDER_FILTER_NAMES = ['accountIdentifier', 'customerIdentifier', 'externalRefID', 'startDate', 'endDate'] as const;

/** The order filters and the page as a query string (with its `?`), as the RaaS GET /orders names them. */
export function orderQuery(filters: OrderFilters, page: number, elementsPerBlock: number): string {
  const query = new URLSearchParams();
  for (const name of ORDER_FILTER_NAMES) {
    const value = filters[name];
    if (value) query.set(name, value);
  }
  query.set('page', String(page));
  query.set('elementsPerBlock', String(elementsPerBlock));
  return `?${query.toString()}`;
}
