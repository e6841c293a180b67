/**
 * Tango's paging of list operations (the RaaS reference's `page` and `elementsPerBlock` and its PageView):
 * pages count from 0. It sits beside the store lists it cuts into pages (`offset`, `limit`), shared by the
 * RaaS routes (raas/page-view.ts gives them their schemas) and the portal's Orders page, so that both page
 * the same lists the same way.
 */
export const DEFAULT_ELEMENTS_PER_BLOCK = 10;
export const MAX_ELEMENTS_PER_BLOCK = 100;

/** A page as asked for; both already checked (whole numbers, `elementsPerBlock` 1 to MAX_ELEMENTS_PER_BLOCK). */
export interface PageRequest {
  page?: number | undefined;
  elementsPerBlock?: number | undefined;
}

/** Tango's PageView: the page's size and number, how many it holds, and how many match in all. */
export interface PageCounts {
  elementsPerBlock: number;
  number: number;
  resultCount: number;
  totalCount: number;
}

/** The rows a page asks for, with the defaults filled in. */
export function pageOf(query: PageRequest): { number: number; elementsPerBlock: number; offset: number; limit: number } {
  const number = query.page ?? 0;
  const elementsPerBlock = query.elementsPerBlock ?? DEFAULT_ELEMENTS_PER_BLOCK;
  return { number, elementsPerBlock, offset: number * elementsPerBlock, limit: elementsPerBlock };
}

export function pageView(page: { number: number; elementsPerBlock: number }, resultCount: number, totalCount: number): PageCounts {
  return { elementsPerBlock: page.elementsPerBlock, number: page.number, resultCount, totalCount };
}
