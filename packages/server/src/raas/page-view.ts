import { Type, type Static } from 'typebox';

/**
 * Tango's paging of list operations (the reference's `page` and `elementsPerBlock` query parameters and
 * its PageView): pages count from 0, as Tango's do.
 */
const DEFAULT_ELEMENTS_PER_BLOCK = 10;
const MAX_ELEMENTS_PER_BLOCK = 100;
/** The reference's parameters are int32. */
const INT32_MAX = 2 ** 31 - 1;

export const PageQuery = Type.Object({
  elementsPerBlock: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_ELEMENTS_PER_BLOCK,
      description: `specify the number of elements in a block (${DEFAULT_ELEMENTS_PER_BLOCK} when left out, at most ${MAX_ELEMENTS_PER_BLOCK}).`,
      examples: [DEFAULT_ELEMENTS_PER_BLOCK],
    }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: INT32_MAX, description: 'specify the page number to return (the first is 0).', examples: [0] })),
});
export type PageQuery = Static<typeof PageQuery>;

export const PageView = Type.Object(
  {
    elementsPerBlock: Type.Integer({ description: 'Total number of elements per page' }),
    number: Type.Integer({ description: 'Current page number' }),
    resultCount: Type.Integer({ description: 'Total number of elements in the current page' }),
    totalCount: Type.Integer({ description: 'Total number of elements' }),
  },
  { $id: 'PageView' },
);
export type PageView = Static<typeof PageView>;

/** The rows a page asks for, with the defaults filled in. */
export function pageOf(query: PageQuery): { number: number; elementsPerBlock: number; offset: number; limit: number } {
  const number = query.page ?? 0;
  const elementsPerBlock = query.elementsPerBlock ?? DEFAULT_ELEMENTS_PER_BLOCK;
  return { number, elementsPerBlock, offset: number * elementsPerBlock, limit: elementsPerBlock };
}

export function pageView(page: { number: number; elementsPerBlock: number }, resultCount: number, totalCount: number): PageView {
  return { elementsPerBlock: page.elementsPerBlock, number: page.number, resultCount, totalCount };
}
