import { Type, type Static } from 'typebox';
import { DEFAULT_ELEMENTS_PER_BLOCK, MAX_ELEMENTS_PER_BLOCK } from '../store/paging.js';

/**
 * The schemas of Tango's paging of list operations (the reference's `page` and `elementsPerBlock` query
 * parameters and its PageView): pages count from 0, as Tango's do. The arithmetic is ../paging.ts, which
 * the portal's Orders page shares.
 */
export { pageOf, pageView } from '../store/paging.js';
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
